export { startRedisServer, findRedisServerBinary, RedisServerNotInstalledError } from './redis-server.js';
export type { RedisServerHandle, StartRedisServerOptions } from './redis-server.js';
export { freePort } from './free-port.js';
export { uniquePrefix } from './unique-prefix.js';
export { waitFor } from './wait-for.js';
export { startAppProcess } from './app-process.js';
export type { AppProcess, StartAppProcessOptions } from './app-process.js';
export { catalogedMetricNames, servedMetricFamilies, uncatalogedMetrics } from './metric-catalog.js';
