export { testConnections } from './test-connections.js';
export type { TestConnectionsOptions, TestRedisTarget } from './test-connections.js';
