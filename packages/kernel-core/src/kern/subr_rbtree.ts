/**
 * common/lib/libc/gen/rb.c, the red-black tree of <sys/rbtree.h> that modules keep their own
 * objects in (msdosfs's file-handle table). The tree is an ordered list of object addresses kept
 * by the kernel, keyed by the guest `rb_tree_t`; ordering is always the module's own
 * `rbto_compare_nodes` / `rbto_compare_key`, called in the guest. `rbt_root` and `rbt_minmax`
 * are kept pointing at the nodes (object + rbto_node_offset) so a NULL check on the root, which
 * is what RB_TREE_MIN's callers effectively rely on, sees the same emptiness NetBSD's does.
 */
import type { Kernel } from '../kernel.js';

/** Directions of rb_tree_iterate: RB_DIR_LEFT (towards the minimum), RB_DIR_RIGHT. */
export const RB_DIR_LEFT = 0;
export const RB_DIR_RIGHT = 1;

/** rb_tree_t: rbt_root, rbt_ops, rbt_minmax[2]. rb_tree_ops_t: compare_nodes, compare_key, node_offset, context. */
const RBT_ROOT = 0n;
const RBT_OPS = 8n;
const RBT_MINMAX = 16n;

export class RbTrees {
  private readonly trees = new Map<bigint, bigint[]>();

  constructor(private readonly k: Kernel) {}

  private ops(rbt: bigint): { nodes: bigint; key: bigint; offset: bigint; ctx: bigint } {
    const m = this.k.mem;
    const ops = m.read64(rbt + RBT_OPS);
    if (ops === 0n)
      this.k.panic(`rb_tree: tree ${this.k.describeAddress(rbt)} was not initialized`);
    return {
      nodes: m.read64(ops),
      key: m.read64(ops + 8n),
      offset: m.read64(ops + 16n),
      ctx: m.read64(ops + 24n),
    };
  }

  private list(rbt: bigint, who: string): bigint[] {
    const l = this.trees.get(rbt);
    if (!l)
      this.k.panic(
        `${who}: tree ${this.k.describeAddress(rbt)} was not initialized by rb_tree_init`,
      );
    return l;
  }

  private cmp(fn: bigint, ctx: bigint, a: bigint, b: bigint): number {
    return Number(BigInt.asIntN(32, this.k.callGuest(fn, ctx, a, b)));
  }

  /** Index of the first object that is not less than `key` (compare_key(obj, key) >= 0). */
  private lowerBound(rbt: bigint, l: bigint[], key: bigint, byNode: boolean): number {
    const o = this.ops(rbt);
    const fn = byNode ? o.nodes : o.key;
    let lo = 0;
    let hi = l.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(fn, o.ctx, l[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private sync(rbt: bigint, l: bigint[]): void {
    const m = this.k.mem;
    const off = l.length ? this.ops(rbt).offset : 0n;
    const node = (obj: bigint | undefined) => (obj === undefined ? 0n : obj + off);
    m.write64(rbt + RBT_ROOT, node(l[l.length >> 1]));
    m.write64(rbt + RBT_MINMAX, node(l[0]));
    m.write64(rbt + RBT_MINMAX + 8n, node(l[l.length - 1]));
  }

  init(rbt: bigint, ops: bigint): void {
    const m = this.k.mem;
    m.write64(rbt + RBT_OPS, ops);
    this.trees.set(rbt, []);
    this.sync(rbt, []);
  }

  /** The object equal to `key`, or 0. */
  find(rbt: bigint, key: bigint): bigint {
    const l = this.list(rbt, 'rb_tree_find_node');
    const i = this.lowerBound(rbt, l, key, false);
    if (i < l.length) {
      const o = this.ops(rbt);
      if (this.cmp(o.key, o.ctx, l[i]!, key) === 0) return l[i]!;
    }
    return 0n;
  }

  /** The smallest object >= key, or 0. */
  findGeq(rbt: bigint, key: bigint): bigint {
    const l = this.list(rbt, 'rb_tree_find_node_geq');
    return l[this.lowerBound(rbt, l, key, false)] ?? 0n;
  }

  /** The largest object <= key, or 0. */
  findLeq(rbt: bigint, key: bigint): bigint {
    const l = this.list(rbt, 'rb_tree_find_node_leq');
    const i = this.lowerBound(rbt, l, key, false);
    if (i < l.length) {
      const o = this.ops(rbt);
      if (this.cmp(o.key, o.ctx, l[i]!, key) === 0) return l[i]!;
    }
    return i > 0 ? l[i - 1]! : 0n;
  }

  /** Inserts `obj`; returns it, or the object already equal to it (which stays). */
  insert(rbt: bigint, obj: bigint): bigint {
    const l = this.list(rbt, 'rb_tree_insert_node');
    const i = this.lowerBound(rbt, l, obj, true);
    if (i < l.length) {
      const o = this.ops(rbt);
      if (this.cmp(o.nodes, o.ctx, l[i]!, obj) === 0) return l[i]!;
    }
    l.splice(i, 0, obj);
    this.sync(rbt, l);
    return obj;
  }

  remove(rbt: bigint, obj: bigint): void {
    const l = this.list(rbt, 'rb_tree_remove_node');
    const i = l.indexOf(obj);
    if (i < 0)
      this.k.panic(`rb_tree_remove_node: object ${this.k.describeAddress(obj)} is not in the tree`);
    l.splice(i, 1);
    this.sync(rbt, l);
  }

  /** rb_tree_iterate: from NULL the minimum (LEFT) or maximum (RIGHT); else the neighbour. */
  iterate(rbt: bigint, obj: bigint, direction: number): bigint {
    const l = this.list(rbt, 'rb_tree_iterate');
    if (obj === 0n) return (direction === RB_DIR_LEFT ? l[0] : l[l.length - 1]) ?? 0n;
    const i = l.indexOf(obj);
    if (i < 0)
      this.k.panic(`rb_tree_iterate: object ${this.k.describeAddress(obj)} is not in the tree`);
    return l[direction === RB_DIR_RIGHT ? i + 1 : i - 1] ?? 0n;
  }

  count(rbt: bigint): number {
    return this.list(rbt, 'rb_tree_count').length;
  }
}

export function registerRbtree(k: Kernel): RbTrees {
  const t = k.ksyms;
  const r = new RbTrees(k);
  t.function('rb_tree_init', 'rbtree', (cpu) => r.init(cpu.arg(0), cpu.arg(1)));
  t.function('rb_tree_find_node', 'rbtree', (cpu) => r.find(cpu.arg(0), cpu.arg(1)));
  t.function('rb_tree_find_node_geq', 'rbtree', (cpu) => r.findGeq(cpu.arg(0), cpu.arg(1)));
  t.function('rb_tree_find_node_leq', 'rbtree', (cpu) => r.findLeq(cpu.arg(0), cpu.arg(1)));
  t.function('rb_tree_insert_node', 'rbtree', (cpu) => r.insert(cpu.arg(0), cpu.arg(1)));
  t.function('rb_tree_remove_node', 'rbtree', (cpu) => r.remove(cpu.arg(0), cpu.arg(1)));
  t.function('rb_tree_iterate', 'rbtree', (cpu) =>
    r.iterate(cpu.arg(0), cpu.arg(1), Number(cpu.arg(2) & 0xffffffffn)),
  );
  return r;
}
