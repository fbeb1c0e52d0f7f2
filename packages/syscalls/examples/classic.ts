/**
 * The classic rump-kernel demonstration, line for line: NetBSD's ffs.kmod loaded into a rump
 * kernel and an FFS image mounted, read, rewritten, and synced by reboot.
 *
 *   pnpm exec tsx packages/syscalls/examples/classic.ts ffs.kmod ffs.img [MODULE_DIR]
 *
 * MODULE_DIR holds the modules ffs requires (ufs.kmod); it defaults to the folder of ffs.kmod.
 * The image must hold a_directory/README. It is modified: work on a copy.
 */
import { dirname, resolve } from 'node:path';
import { NodeHost } from '@rump/hypercall/node';
import { bootRump, MODCTL, O } from '@rump/syscalls';

const [kmod, image, moduleDir] = process.argv.slice(2);
if (!kmod || !image) {
  console.error('usage: classic.ts ffs.kmod ffs.img [MODULE_DIR]');
  process.exit(2);
}

const { sys, etfsRegister } = bootRump({
  host: new NodeHost(),
  modulePath: [resolve(moduleDir ?? dirname(kmod))],
});
etfsRegister('/ffsmod', resolve(kmod), 'REG');
etfsRegister('/ffsimg', resolve(image), 'BLK');
sys.modctl(MODCTL.LOAD, { ml_filename: '/ffsmod' });
sys.mkdir('/mnt', 0o755);
sys.mount('ffs', '/mnt', 0, { fspec: '/ffsimg' });

const fd = sys.open('/mnt/a_directory/README', O.RDWR);
const buf = new Uint8Array(1024);
const n = sys.read(fd, buf);
process.stdout.write(new TextDecoder().decode(buf.subarray(0, n)));

sys.ftruncate(fd, 0);
const text = 'You already read me. Go read something else.\n';
sys.pwrite(fd, new TextEncoder().encode(text), 0);
sys.reboot(0); // syncs and unmounts: the image file now holds the new text
