/**
 * kern/vfs_trans.c: file-system transactions (fstrans) and copy-on-write hooks (fscow).
 *
 * A mount is NORMAL, SUSPENDING or SUSPENDED; vfs_suspend makes curlwp its owner. Each lwp
 * counts its transactions per mount; a transaction may start while the mount is NORMAL, or at any
 * time for the lwp that suspended it (or already holds a transaction there). With one lwp,
 * anything else would wait forever: that is a diagnosed deadlock, not a hang. A mount without
 * fstrans information (NULL, or a vnode's dead mount) takes no transactions, as in NetBSD.
 */
import { errno } from '../abi/netbsd-10.99/errno.js';
import { argKva } from '../kern/hostcall.js';
import { type Kva, kvaBig, kvaOf } from '../kern/kva.js';
import type { Kernel } from '../kernel.js';
import type { FstransHooks } from './vnode_if.js';

export enum FstransState {
  NORMAL = 0,
  SUSPENDING = 1,
  SUSPENDED = 2,
}

interface MountTrans {
  state: FstransState;
  /** The suspending lwp's address as a Number (its signed 64-bit value), 0 for none. */
  owner: number;
  /**
   * Transactions held, per lwp (keyed like owner): one lwp's count in the l0/n0 slot (the running
   * lwp, nearly always: no Map operation per VOP_LOCK/UNLOCK), any others in the map.
   */
  l0: number;
  n0: number;
  readonly counts: Map<number, number>;
}

function countOf(m: MountTrans, l: number): number {
  return l === m.l0 ? m.n0 : (m.counts.get(l) ?? 0);
}

function setCount(m: MountTrans, l: number, n: number): void {
  if (l === m.l0) m.n0 = n;
  else if (m.n0 === 0) {
    m.counts.delete(l);
    m.l0 = l;
    m.n0 = n;
  } else if (n === 0) m.counts.delete(l);
  else m.counts.set(l, n);
}

/** Every (lwp, count) with transactions on the mount. */
function holders(m: MountTrans): [number, number][] {
  const out: [number, number][] = [];
  if (m.n0 > 0) out.push([m.l0, m.n0]);
  for (const [l, n] of m.counts) if (n > 0) out.push([l, n]);
  return out;
}

/** An lwp key (a Number) for messages. */
const lwpHex = (l: number): string => kvaBig(l).toString(16);

const B_COWDONE = 0x400;
const SUSPEND_SUSPEND = 0x1;
const SUSPEND_RESUME = 0x2;

export class Fstrans implements FstransHooks {
  /** Per mount, keyed by the mount's Kva (every VOP_LOCK/UNLOCK looks here: no BigInt keys). */
  private readonly mounts = new Map<Kva, MountTrans>();
  private lwpBig = -1n;
  private lwpKey = 0;

  constructor(private readonly k: Kernel) {}

  /** curlwp as a Number key, converted only when curlwp changes. */
  private cur(): number {
    const l = this.k.curlwp;
    if (l !== this.lwpBig) {
      this.lwpBig = l;
      this.lwpKey = Number(BigInt.asIntN(64, l));
    }
    return this.lwpKey;
  }

  /** fstrans_mount: gives a new mount its transaction state. */
  mount(mp: bigint): void {
    this.mounts.set(kvaOf(mp), {
      state: FstransState.NORMAL,
      owner: 0,
      l0: Number.NaN,
      n0: 0,
      counts: new Map(),
    });
  }

  /** fstrans_unmount: the mount is gone; nobody may hold a transaction on it. */
  unmount(mp: bigint): void {
    const m = this.mounts.get(kvaOf(mp));
    if (m) {
      for (const [l, n] of holders(m)) {
        if (n > 0)
          this.k.panic(
            `fstrans_unmount: lwp 0x${lwpHex(l)} still holds ${n} transaction(s) on ${this.k.describeAddress(mp)}`,
          );
      }
    }
    this.mounts.delete(kvaOf(mp));
  }

  private grant(mp: Kva, nowait: boolean, who: string): number {
    const m = this.mounts.get(mp);
    if (!m) return 0;
    const l = this.cur();
    const n = countOf(m, l);
    if (n > 0 || m.state === FstransState.NORMAL || m.owner === l) {
      setCount(m, l, n + 1);
      return 0;
    }
    if (nowait) return errno.EBUSY;
    return this.k.panic(
      `deadlock: ${who}(${this.k.describeAddress(kvaBig(mp))}): the mount is suspended by lwp 0x${lwpHex(m.owner)} and no other lwp can resume it`,
    );
  }

  start(mp: bigint): void {
    this.grant(kvaOf(mp), false, 'fstrans_start');
  }

  startNowait(mp: bigint): number {
    return this.grant(kvaOf(mp), true, 'fstrans_start_nowait');
  }

  done(mp: bigint): void {
    this.doneK(kvaOf(mp));
  }

  startK(mp: Kva): void {
    this.grant(mp, false, 'fstrans_start');
  }

  startNowaitK(mp: Kva): number {
    return this.grant(mp, true, 'fstrans_start_nowait');
  }

  doneK(mp: Kva): void {
    const m = this.mounts.get(mp);
    if (!m) return;
    const l = this.cur();
    const n = countOf(m, l);
    if (n <= 0)
      this.k.panic(`fstrans_done(${this.k.describeAddress(kvaBig(mp))}): no transaction held`);
    setCount(m, l, n - 1);
  }

  held(mp: bigint): boolean {
    const m = this.mounts.get(kvaOf(mp));
    if (!m) return false;
    const l = this.cur();
    return countOf(m, l) > 0 || m.owner === l;
  }

  isOwner(mp: bigint): boolean {
    const m = this.mounts.get(kvaOf(mp));
    return m !== undefined && m.state !== FstransState.NORMAL && m.owner === this.cur();
  }

  getState(mp: bigint): FstransState {
    return this.mounts.get(kvaOf(mp))?.state ?? FstransState.NORMAL;
  }

  /** fstrans_setstate: SUSPENDING/SUSPENDED need every other lwp out of the mount; NORMAL releases it. */
  setState(mp: bigint, state: FstransState): number {
    const m = this.mounts.get(kvaOf(mp));
    if (!m) return 0;
    const l = this.cur();
    if (state !== FstransState.NORMAL) {
      if (m.state !== FstransState.NORMAL && m.owner !== l) return errno.EBUSY;
      for (const [who, n] of holders(m)) {
        if (who !== l && n > 0) {
          this.k.panic(
            `deadlock: fstrans_setstate: lwp 0x${lwpHex(who)} holds a transaction on ${this.k.describeAddress(mp)}`,
          );
        }
      }
      m.owner = l;
    } else m.owner = 0;
    m.state = state;
    return 0;
  }

  /** genfs_suspendctl (miscfs/genfs/genfs_vfsops.c): the default VFS_SUSPENDCTL. */
  suspendctl(mp: bigint, cmd: number): number {
    switch (cmd) {
      case SUSPEND_SUSPEND: {
        const e = this.setState(mp, FstransState.SUSPENDING);
        if (e) return e;
        return this.setState(mp, FstransState.SUSPENDED);
      }
      case SUSPEND_RESUME:
        if (this.getState(mp) !== FstransState.SUSPENDED) return errno.EINVAL;
        return this.setState(mp, FstransState.NORMAL);
      default:
        return errno.EINVAL;
    }
  }

  /**
   * fscow_run(bp, data_valid): runs the copy-on-write handlers (snapshots) once per buffer. No
   * handlers can be established here (fscow_establish is for snapshots), so it marks the buffer
   * B_COWDONE and succeeds, as NetBSD does for a mount without handlers.
   */
  cowRun(bp: bigint): number {
    const fl = bp + BigInt(this.k.S.buf.b_flags.offset);
    const f = this.k.mem.read32(fl);
    if (f & B_COWDONE) return 0;
    this.k.mem.write32(fl, f | B_COWDONE);
    return 0;
  }

  register(): void {
    const t = this.k.ksyms;
    t.function('fstrans_start', 'fstrans', (cpu) => this.startK(argKva(cpu, 0)));
    t.function('fstrans_start_nowait', 'fstrans', (cpu) => this.startNowaitK(argKva(cpu, 0)));
    t.function('fstrans_start_lazy', 'fstrans', (cpu) => this.startK(argKva(cpu, 0)));
    t.function('fstrans_done', 'fstrans', (cpu) => this.doneK(argKva(cpu, 0)));
    t.function('fstrans_held', 'fstrans', (cpu) => this.held(cpu.arg(0)));
    t.function('fstrans_is_owner', 'fstrans', (cpu) => this.isOwner(cpu.arg(0)));
    t.function('fstrans_getstate', 'fstrans', (cpu) => this.getState(cpu.arg(0)));
    t.function('fstrans_setstate', 'fstrans', (cpu) =>
      this.setState(cpu.arg(0), Number(cpu.arg(1) & 0xffn)),
    );
    t.function('fscow_run', 'fstrans', (cpu) => this.cowRun(cpu.arg(0)));
    t.function('genfs_suspendctl', 'genfs', (cpu) =>
      this.suspendctl(cpu.arg(0), Number(cpu.arg(1) & 0xffffffffn)),
    );
  }
}
