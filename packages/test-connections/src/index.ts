export { testConnections } from './test-connections.js';
export type { TestConnectionsOptions } from './test-connections.js';
export { redisModeOf } from './redis-mode.js';
export type { TestRedisTarget } from './redis-mode.js';
