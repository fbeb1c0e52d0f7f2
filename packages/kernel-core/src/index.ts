/**
 * @rump/kernel-core: the NetBSD kernel personality that binary modules link against —
 * ABI layouts per release, the kernel symbol table, kmem/pool, locks, time, kauth, sysctl,
 * lwp0/proc0/cpu_info, etfs, and the module framework (modctl).
 */
export * from './abi/index.js';
export * from './errors.js';
export { Console } from './kern/cons.js';
export type { KernelFunction, KernelSymbol, SymbolKind } from './kern/kern_ksyms.js';
export { KernelSymbolTable } from './kern/kern_ksyms.js';
export type { BuiltinModule, LoadRequest, ModuleSource, ModuleStat } from './kern/kern_module.js';
export { NETBSD_FFS_UFS_IMPORTS } from './kern/kern_stubs.js';
export type { SysctlNode, SysctlValue } from './kern/kern_sysctl.js';
export { type ArgSource, CallArgs, kformat, ListArgs, VaListArgs } from './kern/kprintf.js';
export type { EventCounter } from './kern/subr_evcnt.js';
export { ARENA_OFFSET, createKernel, KDATA_OFFSET, Kernel, type KernelOptions } from './kernel.js';
export { type EtfsEntry, type EtfsType, RUMP_ETFS } from './rump/etfs.js';
export { kva, PAGE_SIZE, windowOffset } from './uvm/uvm_km.js';
export type { StatvfsInfo, Vfs } from './vfs/vfs.js';
export { type Dirent, parseDirents, type VnodeFile, type VnodeStat } from './vfs/vfs_vnops.js';
