/**
 * kauth(9): credentials and authorization.
 *
 * Policy (what a rump kernel with secmodel_suser gives): every scope has the built-in
 * superuser listener, which ALLOWs any request from a credential with effective uid 0 and
 * DEFERs otherwise; listeners that modules register with kauth_listen_scope are called in the
 * guest after it. As in kern_auth.c, any DENY denies (EPERM, EACCES for vnodes), any ALLOW
 * allows, and a request everyone deferred is denied — except vnode requests, where the file
 * system's own decision (`fs_decision`) stands. NOCRED and FSCRED are the kernel itself and are
 * always allowed. Syscalls run as lwp0, whose credential is root.
 */
import { kauth as K } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';
import { argHi, argLo } from './hostcall.js';

export const NOCRED = BigInt.asUintN(64, -1n);
export const FSCRED = BigInt.asUintN(64, -2n);

const RESULT_ALLOW = 0;
const RESULT_DENY = 1;
const RESULT_DEFER = 2;

/** accmode bits (sys/vnode.h) and KAUTH_VNODE_* actions (sys/kauth.h). */
const VEXEC = 0o100;
const VWRITE = 0o200;
const VREAD = 0o400;
const VADMIN = 0o10000;
const VAPPEND = 0o40000;
const VDELETE_CHILD = 0o1000000;
const VREAD_ATTRIBUTES = 0o2000000;
const VWRITE_ATTRIBUTES = 0o4000000;
const VDELETE = 0o10000000;
const VREAD_ACL = 0o20000000;
const VWRITE_ACL = 0o40000000;
const VWRITE_OWNER = 0o100000000;
const VADMIN_PERMS = VADMIN | VWRITE_ATTRIBUTES | VWRITE_ACL | VWRITE_OWNER;
const VSTAT_PERMS = VREAD_ATTRIBUTES | VREAD_ACL;
const VMODIFY_PERMS = VWRITE | VAPPEND | VADMIN_PERMS | VDELETE_CHILD | VDELETE;
export const KAUTH_VNODE_READ_DATA = 1n;
export const KAUTH_VNODE_WRITE_DATA = 2n;
export const KAUTH_VNODE_EXECUTE = 4n;
export const KAUTH_VNODE_ACCESS = 1n << 31n;

interface Listener {
  readonly handle: bigint;
  readonly scope: string;
  readonly func: bigint;
  readonly cookie: bigint;
}

export class Kauth {
  readonly listeners: Listener[] = [];
  /** Root's credential (lwp0 and proc0 hold it). */
  cred0 = 0n;

  constructor(private readonly k: Kernel) {}

  field(
    cred: bigint,
    name:
      | 'cr_uid'
      | 'cr_euid'
      | 'cr_svuid'
      | 'cr_gid'
      | 'cr_egid'
      | 'cr_svgid'
      | 'cr_ngroups'
      | 'cr_refcnt',
  ): number {
    return this.k.mem.read32(cred + BigInt(this.k.S.kauth_cred[name].offset));
  }

  check(cred: bigint, who: string): void {
    if (cred === 0n || cred === NOCRED || cred === FSCRED) {
      this.k.panic(
        `${who}: kernel diagnostic assertion failed: credential is ${cred === 0n ? 'NULL' : cred === NOCRED ? 'NOCRED' : 'FSCRED'}`,
      );
    }
  }

  /** Writes a credential: uids and gids, refcount 1. */
  fill(cred: bigint, uid: number, gid: number): void {
    const C = this.k.S.kauth_cred;
    const m = this.k.mem;
    m.write32(cred + BigInt(C.cr_refcnt.offset), 1);
    for (const f of ['cr_uid', 'cr_euid', 'cr_svuid'] as const)
      m.write32(cred + BigInt(C[f].offset), uid);
    for (const f of ['cr_gid', 'cr_egid', 'cr_svgid'] as const)
      m.write32(cred + BigInt(C[f].offset), gid);
  }

  /** kauth_authorize_action_internal: the combined result of the scope's listeners. */
  decide(scope: string, cred: bigint, action: bigint, args: bigint[]): number {
    if (cred === NOCRED || cred === FSCRED) return RESULT_ALLOW;
    this.check(cred, 'kauth_authorize_action');
    let allow = this.field(cred, 'cr_euid') === 0; // secmodel_suser
    let deny = false;
    for (const l of this.listeners) {
      if (l.scope !== scope) continue;
      const r = Number(
        BigInt.asIntN(
          32,
          this.k.callGuest(
            l.func,
            cred,
            action,
            l.cookie,
            args[0] ?? 0n,
            args[1] ?? 0n,
            args[2] ?? 0n,
            args[3] ?? 0n,
          ),
        ),
      );
      if (r === RESULT_ALLOW) allow = true;
      else if (r === RESULT_DENY) deny = true;
    }
    return deny ? RESULT_DENY : allow ? RESULT_ALLOW : RESULT_DEFER;
  }

  /** Whether any module listens on `scope` (the built-in superuser policy is not a listener). */
  hasListeners(scope: string): boolean {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) if (ls[i]!.scope === scope) return true;
    return false;
  }

  authorize(scope: string, cred: bigint, action: bigint, args: bigint[]): number {
    return this.decide(scope, cred, action, args) === RESULT_ALLOW ? 0 : errno.EPERM;
  }

  /** kauth_authorize_vnode: a DENY is EACCES, an ALLOW 0, otherwise the file system's decision. */
  authorizeVnode(
    cred: bigint,
    action: bigint,
    vp: bigint,
    dvp: bigint,
    fsDecision: number,
  ): number {
    const r = this.decide(K.KAUTH_SCOPE_VNODE, cred, action, [vp, dvp]);
    if (r === RESULT_DENY) return errno.EACCES;
    if (r === RESULT_ALLOW) return 0;
    return fsDecision === -1 /* KAUTH_VNODE_REMOTEFS */ ? 0 : fsDecision;
  }
}

export function registerKauth(k: Kernel): void {
  const t = k.ksyms;
  const a = k.kauth;
  const m = k.mem;
  const C = k.S.kauth_cred;
  const getter = (name: string, field: Parameters<Kauth['field']>[1]) =>
    t.function(name, 'kauth', (cpu) => {
      a.check(cpu.arg(0), name);
      return a.field(cpu.arg(0), field);
    });
  getter('kauth_cred_getuid', 'cr_uid');
  getter('kauth_cred_geteuid', 'cr_euid');
  getter('kauth_cred_getsvuid', 'cr_svuid');
  getter('kauth_cred_getgid', 'cr_gid');
  getter('kauth_cred_getegid', 'cr_egid');
  getter('kauth_cred_getsvgid', 'cr_svgid');
  getter('kauth_cred_ngroups', 'cr_ngroups');
  getter('kauth_cred_getrefcnt', 'cr_refcnt');
  t.function('kauth_cred_group', 'kauth', (cpu) =>
    m.read32(cpu.arg(0) + BigInt(C.cr_groups.offset) + 4n * (cpu.arg(1) & 0xffn)),
  );
  t.function('kauth_cred_get', 'kauth', () => m.read64(k.curlwp + BigInt(k.S.lwp.l_cred.offset)));
  t.function('kauth_cred_hold', 'kauth', (cpu) => {
    a.check(cpu.arg(0), 'kauth_cred_hold');
    const p = cpu.arg(0) + BigInt(C.cr_refcnt.offset);
    m.write32(p, m.read32(p) + 1);
  });
  t.function('kauth_cred_free', 'kauth', (cpu) => {
    const cred = cpu.arg(0);
    a.check(cred, 'kauth_cred_free');
    const p = cred + BigInt(C.cr_refcnt.offset);
    const n = m.read32(p);
    if (n === 0) k.panic(`kauth_cred_free: credential 0x${cred.toString(16)} has no references`);
    m.write32(p, n - 1);
    if (n === 1 && cred !== a.cred0) k.kmem.free(cred, C.$size, 'kauth_cred_free');
  });
  t.function('kauth_cred_alloc', 'kauth', () => {
    const cred = k.kmem.alloc(C.$size, 1, true, 'kauth_cred_alloc');
    m.write32(cred + BigInt(C.cr_refcnt.offset), 1);
    return cred;
  });
  t.function('kauth_cred_dup', 'kauth', (cpu) => {
    const cred = k.kmem.alloc(C.$size, 1, false, 'kauth_cred_dup');
    m.write(cred, m.read(cpu.arg(0), C.$size));
    m.write32(cred + BigInt(C.cr_refcnt.offset), 1);
    return cred;
  });
  t.function('kauth_cred_ismember_gid', 'kauth', (cpu) => {
    const [cred, gid, resultp] = [cpu.arg(0), Number(cpu.arg(1) & 0xffffffffn), cpu.arg(2)];
    let member = a.field(cred, 'cr_egid') === gid;
    const ng = a.field(cred, 'cr_ngroups');
    for (let i = 0; i < ng && !member; i++)
      member = m.read32(cred + BigInt(C.cr_groups.offset + 4 * i)) === gid;
    m.write32(resultp, member ? 1 : 0);
    return 0;
  });

  const scopes: [string, string][] = [
    ['generic', K.KAUTH_SCOPE_GENERIC],
    ['system', K.KAUTH_SCOPE_SYSTEM],
    ['process', K.KAUTH_SCOPE_PROCESS],
    ['network', K.KAUTH_SCOPE_NETWORK],
    ['machdep', K.KAUTH_SCOPE_MACHDEP],
    ['device', K.KAUTH_SCOPE_DEVICE],
  ];
  for (const [name, scope] of scopes) {
    t.function(`kauth_authorize_${name}`, 'kauth', (cpu) =>
      a.authorize(scope, cpu.arg(0), cpu.arg(1), [cpu.arg(2), cpu.arg(3), cpu.arg(4), cpu.arg(5)]),
    );
  }
  // kauth_authorize_vnode(cred, action, vp, dvp, fs_decision)
  const euidOff = C.cr_euid.offset;
  t.function('kauth_authorize_vnode', 'kauth', (cpu) => {
    // Read every argument first: listeners run in the guest and clobber the registers.
    const fsDecision = argLo(cpu, 4);
    // Without vnode-scope listeners the answer is the superuser check alone (every ufs
    // lookup and open asks): no BigInt per call.
    const credLo = argLo(cpu, 0);
    const credHi = argHi(cpu, 0);
    if (credHi === -1 && credLo < 0 && !a.hasListeners(K.KAUTH_SCOPE_VNODE)) {
      if (credLo === -1 || credLo === -2) return 0; // NOCRED, FSCRED
      if (m.load32(credLo + euidOff, -1) === 0) return 0;
      return fsDecision === -1 /* KAUTH_VNODE_REMOTEFS */ ? 0 : fsDecision;
    }
    return a.authorizeVnode(cpu.arg(0), cpu.arg(1), cpu.arg(2), cpu.arg(3), fsDecision);
  });
  t.function('kauth_accmode_to_action', 'kauth', (cpu) => {
    const acc = argLo(cpu, 0);
    let action = 0;
    if (acc & (VSTAT_PERMS | VREAD)) action |= Number(KAUTH_VNODE_READ_DATA);
    if (acc & (VMODIFY_PERMS | VADMIN_PERMS)) action |= Number(KAUTH_VNODE_WRITE_DATA);
    if (acc & VEXEC) action |= Number(KAUTH_VNODE_EXECUTE);
    return action === 0 ? Number(KAUTH_VNODE_ACCESS) : action;
  });
  t.function('kauth_listen_scope', 'kauth', (cpu) => {
    const scope = m.readCString(cpu.arg(0), 128);
    const handle = k.kmem.alloc(32, 1, true, 'kauth_listen_scope');
    a.listeners.push({ handle, scope, func: cpu.arg(1), cookie: cpu.arg(2) });
    return handle;
  });
  t.function('kauth_unlisten_scope', 'kauth', (cpu) => {
    const i = a.listeners.findIndex((l) => l.handle === cpu.arg(0));
    if (i < 0) {
      if (cpu.arg(0) === 0n) return;
      k.panic(`kauth_unlisten_scope: 0x${cpu.arg(0).toString(16)} is not a listener`);
    }
    a.listeners.splice(i, 1);
    k.kmem.free(cpu.arg(0), 32, 'kauth_unlisten_scope');
  });
}
