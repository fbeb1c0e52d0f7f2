/**
 * sysctl(9) registration: modules build their nodes with sysctl_createv at load (directly or
 * from link_set_sysctl_funcs) and remove them with sysctl_teardown. Each node is a real
 * struct sysctlnode in kernel memory — modules chain calls through the node pointers they get
 * back — mirrored in a TypeScript tree that `Kernel.sysctl` reads by dotted name.
 * CTL_CREATE numbers are assigned from 0x100 up, as NetBSD's dynamic nodes are.
 */
import { sysctl as C } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';
import { utf8 } from './kdata.js';

export interface SysctlNode {
  readonly name: string;
  readonly num: number;
  readonly type: number;
  readonly flags: number;
  readonly description: string;
  readonly parent: SysctlNode | undefined;
  readonly children: SysctlNode[];
  /** The guest struct sysctlnode. */
  readonly address: bigint;
  /** Helper function (sysctlfn) or 0. */
  readonly func: bigint;
  /** Data pointer (newp) or 0 for immediate values. */
  readonly data: bigint;
  readonly size: number;
  readonly qv: bigint;
}

export type SysctlValue = number | bigint | boolean | string | Uint8Array;

const ROOTS: [string, number][] = [
  ['kern', 1],
  ['vm', 2],
  ['vfs', 3],
  ['net', 4],
  ['debug', 5],
  ['hw', 6],
  ['machdep', 7],
  ['user', 8],
  ['ddb', 9],
  ['proc', 10],
  ['vendor', 11],
  ['emul', 12],
  ['security', 13],
];

export class Sysctl {
  readonly root: SysctlNode;
  /** Nodes created under each sysctllog (keyed by the log token written for the module). */
  private readonly logs = new Map<bigint, SysctlNode[]>();
  private nextLog = 1n;
  private nextCreate = 0x100;

  constructor(private readonly k: Kernel) {
    this.root = this.make(undefined, '', 0, C.CTLTYPE_NODE, C.CTLFLAG_PERMANENT, '', 0n, 0n, 0, 0n);
    for (const [name, num] of ROOTS) {
      const n = this.make(
        this.root,
        name,
        num,
        C.CTLTYPE_NODE,
        C.CTLFLAG_PERMANENT,
        '',
        0n,
        0n,
        0,
        0n,
      );
      if (name === 'vfs')
        this.make(n, 'generic', 0, C.CTLTYPE_NODE, C.CTLFLAG_PERMANENT, '', 0n, 0n, 0, 0n);
    }
  }

  private make(
    parent: SysctlNode | undefined,
    name: string,
    num: number,
    type: number,
    flags: number,
    description: string,
    func: bigint,
    data: bigint,
    size: number,
    qv: bigint,
  ): SysctlNode {
    const k = this.k;
    const S = k.S.sysctlnode;
    const m = k.mem;
    const address = parent
      ? k.kmem.alloc(S.$size, 1, true, 'sysctl_createv')
      : k.kdata.allocate(S.$size);
    m.write32(
      address + BigInt(S.sysctl_flags.offset),
      (C.SYSCTL_VERSION | (flags & C.SYSCTL_FLAGMASK) | type) >>> 0,
    );
    m.write32(address + BigInt(S.sysctl_num.offset), num);
    m.write(address + BigInt(S.sysctl_name.offset), utf8(name.slice(0, 31)));
    if (flags & C.CTLFLAG_IMMEDIATE) m.write64(address + 48n, qv);
    else m.write64(address + 48n, data);
    m.write64(address + BigInt(S._sysctl_size.offset), BigInt(size));
    m.write64(address + BigInt(S._sysctl_func.offset), func);
    m.write64(address + BigInt(S._sysctl_parent.offset), parent?.address ?? 0n);
    const node: SysctlNode = {
      name,
      num,
      type,
      flags,
      description,
      parent,
      children: [],
      address,
      func,
      data,
      size,
      qv,
    };
    if (parent) {
      parent.children.push(node);
      const PS = k.S.sysctlnode.sysctl_un.m.scu_child.m;
      m.write32(parent.address + BigInt(PS.suc_clen.offset), parent.children.length);
    }
    return node;
  }

  byAddress(a: bigint, from: SysctlNode = this.root): SysctlNode | undefined {
    if (from.address === a) return from;
    for (const c of from.children) {
      const f = this.byAddress(a, c);
      if (f) return f;
    }
    return undefined;
  }

  /** The node at a dotted name (`vfs.ffs.doasyncfree`), or undefined. */
  lookup(path: string): SysctlNode | undefined {
    let n: SysctlNode | undefined = this.root;
    for (const part of path.split('.')) n = n?.children.find((c) => c.name === part);
    return n;
  }

  /** Every node's dotted name. */
  names(from: SysctlNode = this.root, prefix = ''): string[] {
    const out: string[] = [];
    for (const c of from.children) {
      const name = prefix ? `${prefix}.${c.name}` : c.name;
      out.push(name, ...this.names(c, name));
    }
    return out;
  }

  /** Reads a leaf's current value from guest memory (or its immediate value). */
  read(path: string): SysctlValue | undefined {
    const n = this.lookup(path);
    if (!n || n.type === C.CTLTYPE_NODE) return undefined;
    const m = this.k.mem;
    const imm = (n.flags & C.CTLFLAG_IMMEDIATE) !== 0;
    switch (n.type) {
      case C.CTLTYPE_INT:
        return imm ? Number(BigInt.asIntN(32, n.qv)) : m.read32(n.data) | 0;
      case C.CTLTYPE_BOOL:
        return imm ? n.qv !== 0n : m.read8(n.data) !== 0;
      case C.CTLTYPE_QUAD:
        return imm ? n.qv : m.read64(n.data);
      case C.CTLTYPE_STRING:
        return n.data === 0n ? '' : m.readCString(n.data, n.size || 1024);
      default:
        return n.data === 0n ? new Uint8Array() : m.read(n.data, n.size);
    }
  }

  /** sysctl_createv; returns 0 or an errno. */
  createv(
    log: bigint,
    rnode: bigint,
    cnode: bigint,
    flags: number,
    type: number,
    name: string,
    desc: string,
    func: bigint,
    qv: bigint,
    newp: bigint,
    newlen: number,
    path: number[],
  ): number {
    const m = this.k.mem;
    let parent: SysctlNode | undefined = this.root;
    if (rnode !== 0n && m.read64(rnode) !== 0n) {
      parent = this.byAddress(m.read64(rnode));
      if (!parent) return errno.EINVAL;
    }
    for (const num of path.slice(0, -1)) {
      parent = parent.children.find((c) => c.num === num);
      if (!parent) return errno.ENOENT;
    }
    let num = path[path.length - 1] ?? C.CTL_CREATE;
    const same = parent.children.find((c) => c.name === name);
    if (same) {
      if (same.type !== C.CTLTYPE_NODE || type !== C.CTLTYPE_NODE) return errno.EEXIST;
      if (cnode !== 0n) m.write64(cnode, same.address);
      return 0;
    }
    if (num === C.CTL_CREATE || num === C.CTL_CREATESYM) num = this.nextCreate++;
    else if (parent.children.some((c) => c.num === num)) return errno.EEXIST;
    let size = newlen;
    if (!size)
      size =
        type === C.CTLTYPE_INT ? 4 : type === C.CTLTYPE_QUAD ? 8 : type === C.CTLTYPE_BOOL ? 1 : 0;
    const node = this.make(parent, name, num, type, flags, desc, func, newp, size, qv);
    if (log !== 0n) {
      let token = m.read64(log);
      if (token === 0n || !this.logs.has(token)) {
        token = this.nextLog++;
        m.write64(log, token);
        this.logs.set(token, []);
      }
      this.logs.get(token)!.push(node);
    }
    if (cnode !== 0n) m.write64(cnode, node.address);
    return 0;
  }

  /** sysctl_teardown: removes every node created under the log, newest first. */
  teardown(log: bigint): void {
    if (log === 0n) return;
    const m = this.k.mem;
    const token = m.read64(log);
    const nodes = this.logs.get(token);
    if (!nodes) return;
    for (const n of [...nodes].reverse()) {
      const p = n.parent!;
      p.children.splice(p.children.indexOf(n), 1);
      this.k.kmem.free(n.address, this.k.S.sysctlnode.$size, 'sysctl_teardown');
    }
    this.logs.delete(token);
    m.write64(log, 0n);
  }
}

export function registerSysctl(k: Kernel): void {
  const t = k.ksyms;
  const m = k.mem;
  const str = (a: bigint) => (a === 0n ? '' : m.readCString(a, 256));
  t.function('sysctl_createv', 'sysctl', (cpu) => {
    // The int and size arguments (flags, type, newlen, the name path) are read as their low
    // 32 bits (argLo): no BigInt for the ~15 of them each call.
    const path: number[] = [];
    for (let i = 12; i < 12 + C.CTL_MAXNAME + 1; i++) {
      const v = cpu.argLo(i) | 0;
      if (v === C.CTL_EOL) break;
      path.push(v);
    }
    return k.sysctl.createv(
      cpu.arg(0),
      cpu.arg(2),
      cpu.arg(3),
      cpu.argLo(4) >>> 0,
      cpu.argLo(5) >>> 0,
      str(cpu.arg(6)),
      str(cpu.arg(7)),
      cpu.arg(8),
      cpu.arg(9),
      cpu.arg(10),
      cpu.argLo(11) >>> 0,
      path,
    );
  });
  t.function('sysctl_teardown', 'sysctl', (cpu) => k.sysctl.teardown(cpu.arg(0)));
  // The helper for nodes a kernel does not support: queries work, everything else fails.
  t.function('sysctl_notavail', 'sysctl', () => errno.EOPNOTSUPP);
}
