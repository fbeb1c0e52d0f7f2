export { modcmd as modcmdConst } from '../src/abi/netbsd-10.99/constants.js';
export { errno, GuestFault, KernelDead, KernelPanic, ModuleError } from '../src/index.js';
