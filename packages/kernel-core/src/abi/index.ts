export * from './layout.js';
export * from './netbsd-10.99/index.js';
export * from './profile.js';
