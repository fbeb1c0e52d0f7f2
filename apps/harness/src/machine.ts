/**
 * One test's world: an in-memory host holding a private copy of the image and the profile's
 * modules, on which kernels are booted one after another (a reboot ends one, the next mounts
 * the same image again). The user's image file is read once and never written.
 */
import { MemoryHost } from '@rump/hypercall';
import { bootRump, MNT, MODCTL, type Rump } from '@rump/syscalls';
import type { FsProfile } from './profile.js';

/** Where things live inside the kernel and on the in-memory host. */
export const IMAGE_HOST_PATH = '/host/fs.img';
export const IMAGE_KEY = '/fs.img';
export const MOUNT_POINT = '/mnt';
const MODULE_DIR = '/modules';

export interface MachineOptions {
  /** Instructions each entry into guest code may run (default unlimited). */
  readonly instructionBudget?: number;
  /** Print the kernel's console as it boots (RUMP_VERBOSE). */
  readonly verbose?: boolean;
}

export class Machine {
  readonly host: MemoryHost;
  private current: Rump | undefined;
  /** Kernels booted so far. */
  boots = 0;

  constructor(
    readonly profile: FsProfile,
    image: Uint8Array,
    private readonly options: MachineOptions = {},
  ) {
    this.host = new MemoryHost({ params: options.verbose ? { RUMP_VERBOSE: '1' } : {} });
    // addFile copies: the kernel writes only this private copy.
    this.host.addFile(IMAGE_HOST_PATH, image);
    for (const m of profile.modules) this.host.addFile(`/host/${m.name}.kmod`, m.bytes);
    for (const m of profile.modulePath) this.host.addFile(`${MODULE_DIR}/${m.name}.kmod`, m.bytes);
  }

  /** The running kernel. */
  get rump(): Rump {
    if (!this.current) throw new Error('no kernel booted yet');
    return this.current;
  }

  /**
   * Boots a fresh kernel: registers the modules and the image with etfs, loads the modules with
   * modctl and makes the mount point. The previous kernel must have halted or died.
   */
  boot(): Rump {
    const rump = this.bootBare();
    for (const m of this.profile.modules) {
      rump.etfsRegister(`/${m.name}.kmod`, `/host/${m.name}.kmod`, 'REG');
      rump.sys.modctl(MODCTL.LOAD, { ml_filename: `/${m.name}.kmod` });
    }
    rump.etfsRegister(IMAGE_KEY, IMAGE_HOST_PATH, 'BLK');
    rump.sys.mkdir(MOUNT_POINT, 0o755);
    return rump;
  }

  /** rump_init(): a fresh kernel with nothing loaded or registered. */
  bootBare(): Rump {
    const budget = this.options.instructionBudget;
    const rump = bootRump({
      host: this.host,
      modulePath: [MODULE_DIR],
      ...(budget ? { instructionBudget: budget } : {}),
    });
    this.current = rump;
    this.boots++;
    return rump;
  }

  /** mount(2) of the image on /mnt. */
  mount(flags = 0): void {
    this.rump.sys.mount(this.profile.fstype, MOUNT_POINT, flags, { fspec: IMAGE_KEY });
  }

  /** Boots and mounts read-write (or with `flags`). */
  start(flags = 0): Rump {
    this.boot();
    this.mount(flags);
    return this.rump;
  }

  /** reboot(2) of the running kernel unless it already halted; returns whether it was clean. */
  reboot(): boolean {
    const r = this.current;
    if (!r || r.sys.isHalted || r.kernel.death) return false;
    return r.sys.reboot(0);
  }

  /** Reboots and mounts the image again in a fresh kernel. */
  remount(flags = 0): Rump {
    this.reboot();
    return this.start(flags);
  }

  /** A copy of the image as the kernels left it. */
  image(): Uint8Array {
    return this.host.readFile(IMAGE_HOST_PATH);
  }

  /** What the kernel printed on its console. */
  console(): string {
    return this.host.consoleText();
  }
}

export { MNT };
