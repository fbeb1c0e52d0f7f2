export * from './buf.js';
export * from './kern.js';
export * from './proc.js';
export * from './sync.js';
export * from './time.js';
export * from './uvm.js';
export * from './vfs.js';
export * from './vop.js';
