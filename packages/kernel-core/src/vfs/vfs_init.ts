/**
 * kern/vfs_init.c: the list of file-system types and the construction of vnode-operation
 * vectors. vfs_attach reads a module's `struct vfsops` and its NULL-terminated
 * `vnodeopv_desc` list and builds each vector exactly as vfs_opv_init does: allocate every
 * vector (storing it through opv_desc_vector_p, a module variable such as ffs_vnodeop_p), fill the
 * explicit entries at each descriptor's vdesc_offset, then fill the holes with the vector's
 * vop_default entry. The kernel's own vectors (spec, dead, rootfs) are built the same way from
 * TypeScript entry lists.
 */
import { kmflags } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import { kvaBig, kvaOf, loadKva, loadU32 } from '../kern/kva.js';
import type { Kernel } from '../kernel.js';
import type { VnodeIf } from './vnode_if.js';

export interface VfsType {
  readonly name: string;
  /** Address of the module's struct vfsops. */
  readonly ops: bigint;
}

export class VfsInit {
  /** Attached file-system types, newest first (LIST_INSERT_HEAD). */
  private readonly list: VfsType[] = [];
  private readonly vectorBytes: number;

  constructor(
    private readonly k: Kernel,
    private readonly vop: VnodeIf,
  ) {
    this.vectorBytes = 8 * vop.count;
  }

  private opsField(vfs: bigint, name: keyof Kernel['S']['vfsops']): bigint {
    const f = this.k.S.vfsops[name] as { offset: number };
    return vfs + BigInt(f.offset);
  }

  /** The vfsops of a type by name (mount_get_vfsops without autoload), or undefined. */
  byName(name: string): VfsType | undefined {
    return this.list.find((v) => v.name === name);
  }

  types(): readonly VfsType[] {
    return this.list;
  }

  /** vfs_opv_init: builds the vectors of a NULL-terminated `const struct vnodeopv_desc *` array. */
  opvInit(descs: bigint): void {
    const m = this.k.mem;
    const list: bigint[] = [];
    for (let p = descs; ; p += 8n) {
      const d = m.read64(p);
      if (d === 0n) break;
      list.push(d);
    }
    const O = this.k.S.vnodeopv_desc;
    for (const d of list) {
      const vec = this.k.kmem.alloc(this.vectorBytes, kmflags.KM_SLEEP, true, 'vfs_opv_init');
      m.write64(m.read64(d + BigInt(O.opv_desc_vector_p.offset)), vec);
    }
    for (const d of list)
      this.fillExplicit(
        m.read64(m.read64(d + BigInt(O.opv_desc_vector_p.offset))),
        m.read64(d + BigInt(O.opv_desc_ops.offset)),
      );
    for (const d of list)
      this.fillDefault(m.read64(m.read64(d + BigInt(O.opv_desc_vector_p.offset))));
  }

  private fillExplicit(vec: bigint, entries: bigint): void {
    const m = this.k.mem;
    const E = this.k.S.vnodeopv_entry_desc;
    const D = this.k.S.vnodeop_desc;
    const defaultDesc = this.vop.descs[0]!;
    const v = kvaOf(vec);
    let e = kvaOf(entries);
    if (Number.isNaN(v) || Number.isNaN(e)) {
      this.fillExplicitBig(vec, entries);
      return;
    }
    // Window addresses as numbers (kern/kva.ts): the entries, descriptors and vector all lie in
    // the kernel window, so the walk needs no BigInt; values are copied as 32-bit halves.
    for (; ; e += E.$size) {
      const op = loadKva(m, e + E.opve_op.offset);
      if (op === 0) break;
      if (Number.isNaN(op)) {
        this.fillExplicitBig(vec, kvaBig(e));
        return;
      }
      const off = loadU32(m, op + D.vdesc_offset.offset);
      if ((off === 0 && kvaBig(op) !== defaultDesc) || off >= this.vop.count) {
        const name = m.readCString(m.read64(kvaBig(op) + BigInt(D.vdesc_name.offset)), 64);
        this.k.console.print(`operation ${name} not listed in vfs_op_descs.\n`);
        this.k.panic('vfs_opv_init: bad operation');
      }
      const lo = m.load64(e + E.opve_impl.offset, -1);
      m.store64(v + 8 * off, -1, lo, m.hi);
    }
  }

  /** fillExplicit for addresses outside the kernel window (none in practice). */
  private fillExplicitBig(vec: bigint, entries: bigint): void {
    const m = this.k.mem;
    const E = this.k.S.vnodeopv_entry_desc;
    const D = this.k.S.vnodeop_desc;
    const defaultDesc = this.vop.descs[0]!;
    for (let e = entries; ; e += BigInt(E.$size)) {
      const op = m.read64(e + BigInt(E.opve_op.offset));
      if (op === 0n) break;
      const off = m.read32(op + BigInt(D.vdesc_offset.offset));
      if ((off === 0 && op !== defaultDesc) || off >= this.vop.count) {
        const name = m.readCString(m.read64(op + BigInt(D.vdesc_name.offset)), 64);
        this.k.console.print(`operation ${name} not listed in vfs_op_descs.\n`);
        this.k.panic('vfs_opv_init: bad operation');
      }
      m.write64(vec + BigInt(8 * off), m.read64(e + BigInt(E.opve_impl.offset)));
    }
  }

  private fillDefault(vec: bigint): void {
    const m = this.k.mem;
    const v = kvaOf(vec);
    if (Number.isNaN(v) || v === 0) {
      const def = m.read64(vec);
      if (def === 0n) this.k.panic('vfs_opv_init: operation vector without vop_default');
      for (let j = 0; j < this.vop.count; j++) {
        if (m.read64(vec + BigInt(8 * j)) === 0n) m.write64(vec + BigInt(8 * j), def);
      }
      return;
    }
    const dlo = m.load64(v, -1);
    const dhi = m.hi;
    if (dlo === 0 && dhi === 0) this.k.panic('vfs_opv_init: operation vector without vop_default');
    for (let j = 0, at = v; j < this.vop.count; j++, at += 8) {
      if (m.load64(at, -1) === 0 && m.hi === 0) m.store64(at, -1, dlo, dhi);
    }
  }

  /** vfs_opv_free: frees the vectors and clears the module's vector variables. */
  opvFree(descs: bigint): void {
    const m = this.k.mem;
    const O = this.k.S.vnodeopv_desc;
    for (let p = descs; ; p += 8n) {
      const d = m.read64(p);
      if (d === 0n) break;
      const vp = m.read64(d + BigInt(O.opv_desc_vector_p.offset));
      const vec = m.read64(vp);
      if (vec !== 0n) this.k.kmem.free(vec, this.vectorBytes, 'vfs_opv_free');
      m.write64(vp, 0n);
    }
  }

  /**
   * A kernel vector from TypeScript: `entries` maps operation names (`lookup`, `default` ...) to
   * function addresses; holes get the default, as for a module's vector.
   */
  buildVector(what: string, entries: Readonly<Record<string, bigint>>): bigint {
    const vec = this.k.kmem.alloc(this.vectorBytes, kmflags.KM_SLEEP, true, `${what} vector`);
    for (const [name, fn] of Object.entries(entries)) {
      if (fn === 0n) throw new Error(`${what}: vector entry ${name} has no function`);
      this.k.mem.write64(vec + BigInt(8 * this.vop.offsetOf(name)), fn);
    }
    this.fillDefault(vec);
    return vec;
  }

  /** vfs_attach(vfsops): EEXIST for a second type with the same name. */
  attach(vfs: bigint): number {
    const m = this.k.mem;
    const name = m.readCString(m.read64(this.opsField(vfs, 'vfs_name')), 64);
    if (this.byName(name)) return errno.EEXIST;
    this.opvInit(m.read64(this.opsField(vfs, 'vfs_opv_descs')));
    const init = m.read64(this.opsField(vfs, 'vfs_init'));
    if (init !== 0n) this.k.callGuest(init);
    this.list.unshift({ name, ops: vfs });
    m.write32(this.opsField(vfs, 'vfs_refcount'), 0);
    return 0;
  }

  /** vfs_detach(vfsops): EBUSY while mounted, ESRCH if not attached. */
  detach(vfs: bigint): number {
    const m = this.k.mem;
    if (m.read32(this.opsField(vfs, 'vfs_refcount')) !== 0) return errno.EBUSY;
    const i = this.list.findIndex((v) => v.ops === vfs);
    if (i < 0) return errno.ESRCH;
    this.list.splice(i, 1);
    const done = m.read64(this.opsField(vfs, 'vfs_done'));
    if (done !== 0n) this.k.callGuest(done);
    this.opvFree(m.read64(this.opsField(vfs, 'vfs_opv_descs')));
    return 0;
  }

  /** Adds a file-system type implemented in TypeScript (the root file system). */
  attachKernel(name: string, ops: bigint): void {
    this.list.unshift({ name, ops });
  }

  register(): void {
    const t = this.k.ksyms;
    t.function('vfs_attach', 'vfs', (cpu) => this.attach(cpu.arg(0)));
    t.function('vfs_detach', 'vfs', (cpu) => this.detach(cpu.arg(0)));
    t.function('vfs_opv_init', 'vfs', (cpu) => this.opvInit(cpu.arg(0)));
    t.function('vfs_opv_free', 'vfs', (cpu) => this.opvFree(cpu.arg(0)));
  }
}
