/**
 * The kernel's identity (kern_version.c, param.c, machdep): ostype, osrelease, osrevision,
 * version, machine, machine_arch, hostname/hostnamelen (from RUMP_HOSTNAME), as data symbols
 * and as the kern.* sysctl nodes that describe them.
 */
import { sysctl as C } from '../abi/netbsd-10.99/constants.js';
import type { Kernel } from '../kernel.js';
import { utf8 } from './kdata.js';

const MAXHOSTNAMELEN = 256;

export function registerVersion(k: Kernel, hostname: string): void {
  const { mem, kdata, ksyms: t, profile } = k;
  const str = (name: string, value: string, size = value.length + 1) => {
    const a = t.dataAt(name, 'kern', kdata.allocate(size, 8), size);
    mem.write(a, utf8(value));
    return { a, size };
  };
  const ostype = str('ostype', 'NetBSD');
  const osrelease = str('osrelease', profile.release);
  const version = str(
    'version',
    `NetBSD ${profile.release} (RUMP-ROAST) #0: rump kernel in TypeScript\n`,
  );
  str('machine', 'amd64');
  str('machine_arch', 'x86_64');
  const host = str('hostname', hostname, MAXHOSTNAMELEN);
  const hostlen = t.dataAt('hostnamelen', 'kern', kdata.allocate(4, 4), 4);
  mem.write32(hostlen, utf8(hostname).length);
  const rev = t.dataAt('osrevision', 'kern', kdata.allocate(4, 4), 4);
  mem.write32(rev, profile.version);

  const node = (name: string, type: number, data: bigint, size: number, num: number, flags = 0) =>
    k.sysctl.createv(0n, 0n, 0n, C.CTLFLAG_PERMANENT | flags, type, name, '', 0n, 0n, data, size, [
      C.CTL_KERN,
      num,
    ]);
  // KERN_OSTYPE 1, KERN_OSRELEASE 2, KERN_OSREV 3, KERN_VERSION 4, KERN_HOSTNAME 10 (sys/sysctl.h).
  node('ostype', C.CTLTYPE_STRING, ostype.a, ostype.size, 1);
  node('osrelease', C.CTLTYPE_STRING, osrelease.a, osrelease.size, 2);
  node('osrevision', C.CTLTYPE_INT, rev, 4, 3);
  node('version', C.CTLTYPE_STRING, version.a, version.size, 4);
  node('hostname', C.CTLTYPE_STRING, host.a, MAXHOSTNAMELEN, 10, C.CTLFLAG_READWRITE);
}
