import { MemoryHost } from '@rump/hypercall';
import { describe, expect, it } from 'vitest';
import { createKernel } from '../src/index.js';
import { VOP } from '../src/vfs/vnode_if.js';

describe('vnode_if', () => {
  it('vop descriptors carry NetBSD offsets, names and argument offsets', () => {
    const k = createKernel({ host: new MemoryHost() });
    const D = k.S.vnodeop_desc;
    const desc = k.ksyms.resolve('vop_lookup_desc')!;
    expect(k.mem.read32(desc + BigInt(D.vdesc_offset.offset))).toBe(3);
    expect(k.mem.readCString(k.mem.read64(desc + BigInt(D.vdesc_name.offset)))).toBe('vop_lookup');
    expect(k.mem.read32(desc + BigInt(D.vdesc_vpp_offset.offset))).toBe(0x10);
    expect(k.mem.read32(desc + BigInt(D.vdesc_componentname_offset.offset))).toBe(0x18);
    const rename = k.ksyms.resolve('vop_rename_desc')!;
    expect(k.mem.read32(rename + BigInt(D.vdesc_flags.offset))).toBe(0xc0f);
    const offs = k.mem.read64(rename + BigInt(D.vdesc_vp_offsets.offset));
    expect([0, 1, 2, 3, 4].map((i) => k.mem.read32(offs + BigInt(4 * i)) | 0)).toEqual([
      8, 0x10, 0x20, 0x28, -1,
    ]);
    expect(k.vfs.vop.count).toBe(55);
    expect(VOP.getpages).toBe(44);
  });

  it('VOP calls build the args block and dispatch through v_op, from TypeScript and from guest calls', () => {
    const k = createKernel({ host: new MemoryHost() });
    const { vop, vn } = k.vfs;
    const seen: bigint[][] = [];
    const bmapImpl = vop.define('test_bmap', 'test', (ap) => {
      const A = k.S.vop_bmap_args;
      seen.push([
        k.mem.read64(ap),
        k.mem.read64(ap + BigInt(A.a_vp.offset)),
        k.mem.read64(ap + BigInt(A.a_bn.offset)),
        k.mem.read64(ap + BigInt(A.a_bnp.offset)),
      ]);
      k.mem.write64(k.mem.read64(ap + BigInt(A.a_bnp.offset)), 1234n);
      return 0;
    });
    const vector = k.kmem.alloc(8 * 55, 1, true);
    k.mem.write64(vector + BigInt(8 * VOP.bmap!), bmapImpl);
    const vp = k.kmem.alloc(k.S.vnode_impl.$size, 1, true);
    vn.setOp(vp, vector);
    const bnp = k.kmem.alloc(8, 1, true);
    // fstrans hooks record the bracket VOP_BMAP (FST_YES) puts around the call.
    const trans: string[] = [];
    vop.fstrans = {
      start: (mp) => trans.push(`start ${mp}`),
      startNowait: () => 0,
      done: (mp) => trans.push(`done ${mp}`),
      startK: (mp) => trans.push(`start ${mp}`),
      startNowaitK: () => 0,
      doneK: (mp) => trans.push(`done ${mp}`),
    };
    expect(vop.bmap(vp, 7n, 0n, bnp, 0n)).toBe(0);
    expect(seen[0]).toEqual([k.ksyms.resolve('vop_bmap_desc'), vp, 7n, bnp]);
    expect(k.mem.read64(bnp)).toBe(1234n);
    expect(trans).toEqual(['start 0', 'done 0']);
    // The exported VOP_BMAP symbol, called as guest code would.
    k.mem.write64(bnp, 0n);
    const rv = k.callGuest(k.ksyms.resolve('VOP_BMAP')!, vp, 9n, 0n, bnp, 0n);
    expect(rv).toBe(0n);
    expect(seen[1]![2]).toBe(9n);
    expect(k.mem.read64(bnp)).toBe(1234n);
  });

  it('an empty vector slot panics naming the operation', () => {
    const k = createKernel({ host: new MemoryHost() });
    const vector = k.kmem.alloc(8 * 55, 1, true);
    const vp = k.kmem.alloc(k.S.vnode_impl.$size, 1, true);
    k.vfs.vn.setOp(vp, vector);
    expect(() => k.vfs.vop.islocked(vp)).toThrow(/vop_islocked/);
  });
});

describe('VOP tracing', () => {
  it('reports every VOP call with its vnode, errno and nesting depth', () => {
    const k = createKernel({ host: new MemoryHost() });
    k.vfs.mkdir('/d');
    const seen: string[] = [];
    k.vfs.vop.trace = (op, _vp, error, depth) => seen.push(`${depth}:${op}:${error}`);
    expect(() => k.vfs.stat('/d/missing')).toThrow(/ENOENT/);
    k.vfs.vop.trace = undefined;
    expect(seen).toContain('0:VOP_LOOKUP:2');
    expect(seen.some((s) => s.endsWith(':VOP_LOCK:0'))).toBe(true);
  });
});
