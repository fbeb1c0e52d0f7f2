export { HostExit, MemoryHost, type MemoryHostOptions } from './memory/MemoryHost.js';
