export { startRedisServer, findRedisServerBinary, RedisServerNotInstalledError } from './redis-server.js';
export type { RedisServerHandle, StartRedisServerOptions } from './redis-server.js';
export { createTestCertificates, OpenSslNotInstalledError } from './redis-tls.js';
export type { TestCertificates, TlsFiles } from './redis-tls.js';
export { freePort } from './free-port.js';
export { uniquePrefix } from './unique-prefix.js';
export { waitFor } from './wait-for.js';
export { startAppProcess } from './app-process.js';
export type { AppProcess, StartAppProcessOptions } from './app-process.js';
export { catalogedMetricNames, servedMetricFamilies, uncatalogedMetrics } from './metric-catalog.js';
export { startRedisCluster } from './redis-cluster.js';
export type {
  ExpectedTopology,
  RedisClusterHandle,
  StartRedisClusterOptions,
  WaitOptions,
} from './redis-cluster.js';
export { ownerOfSlot } from './cluster-nodes.js';
export type { ClusterNodeView } from './cluster-nodes.js';
export type { HostPort } from './node-inspector.js';
export { useRedisCluster } from './use-redis-cluster.js';
export type { TestRedisCluster } from './use-redis-cluster.js';
export { startRedisSentinel } from './redis-sentinel.js';
export type { RedisSentinelHandle, StartRedisSentinelOptions } from './redis-sentinel.js';
export { startRedisSentinelGroup } from './redis-sentinel-group.js';
export type {
  RedisSentinelGroupHandle,
  SentinelWaitOptions,
  StartRedisSentinelGroupOptions,
} from './redis-sentinel-group.js';
export { memoryLogger } from './memory-logger.js';
export type { MemoryLogger } from './memory-logger.js';
export { useRedisServer } from './use-redis-server.js';
export type { TestRedis } from './use-redis-server.js';
export { metricValue } from './metric-value.js';
export { recordSpans } from './record-spans.js';
export { scanKeys } from './scan-keys.js';
export { readmeExample, runExample } from './readme-example.js';
export { startCpuLoad } from './cpu-load.js';
export type { CpuLoad } from './cpu-load.js';
export { openSse, openStalledWebSocket, openWebSocket } from './live-clients.js';
export type { SseClient, WebSocketClient } from './live-clients.js';
export {
  describeOnStandalone,
  fileUsesTopology,
  itOnStandalone,
  REDIS_TOPOLOGIES,
  testRedisTopology,
  useRedis,
} from './use-redis.js';
export type { RedisTopology, TopologyRedis, TopologyTarget } from './use-redis.js';
export { commandCalls, masterClients, TOPOLOGY_BACKGROUND_COMMANDS } from './server-stats.js';
export { startSmtpSink } from './smtp-sink.js';
export type { ReceivedMail, SmtpSink, SmtpSinkOptions } from './smtp-sink.js';
export { resetCommandStats, topologyClient } from './topology-nodes.js';
