export { type ConsoleSink, NodeHost, type NodeHostOptions } from './node/NodeHost.js';
