/**
 * rump_init() and rump_pub_*: boot a kernel on a host and hand back its system calls, the
 * friendly file API and etfs registration in one object.
 */
import type { Host } from '@rump/hypercall';
import { createKernel, type EtfsType, type Kernel, type KernelOptions } from '@rump/kernel-core';
import { FileSystemApi } from './fs.js';
import { RumpSys } from './syscalls.js';

export interface RumpOptions extends Omit<KernelOptions, 'host'> {
  readonly host: Host;
}

export interface Rump {
  readonly kernel: Kernel;
  readonly sys: RumpSys;
  readonly fs: FileSystemApi;
  /** rump_pub_etfs_register(key, hostpath, type) */
  etfsRegister(key: string, hostPath: string, type: EtfsType): void;
  /** rump_pub_etfs_register_withsize(key, hostpath, type, begin, size) */
  etfsRegisterWithSize(
    key: string,
    hostPath: string,
    type: EtfsType,
    begin: number,
    size: number,
  ): void;
  /** rump_pub_etfs_remove(key) */
  etfsRemove(key: string): void;
}

/** rump_init(): boots a kernel instance on `host`. */
export function bootRump(options: RumpOptions): Rump {
  const kernel = createKernel(options);
  const sys = new RumpSys(kernel);
  return {
    kernel,
    sys,
    fs: new FileSystemApi(sys),
    etfsRegister: (key, hostPath, type) => {
      kernel.etfs.register(key, hostPath, type);
    },
    etfsRegisterWithSize: (key, hostPath, type, begin, size) => {
      kernel.etfs.register(key, hostPath, type, { begin, size });
    },
    etfsRemove: (key) => kernel.etfs.remove(key),
  };
}
