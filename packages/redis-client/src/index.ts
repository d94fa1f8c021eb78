// Public API of @rnh/redis-client. Every export is listed here on purpose.

export type {
  ConnectionEntry,
  CreateRedisExtra,
  DoctorCheck,
  DoctorContext,
  DoctorReport,
  DoctorServerInfo,
  HostPort,
  Keyspace,
  Logger,
  RedisClient,
  RedisConnectionsDeps,
  RedisHealth,
  RedisMode,
  RedisOptions,
  RedisRole,
  RedisTlsOptions,
  ScriptDefinition,
} from './types.js';

export {
  RedisAuthError,
  RedisClientError,
  RedisClosedError,
  RedisConfigError,
  RedisConnectionError,
  RedisScriptError,
  RedisTimeoutError,
} from './errors.js';
export type { RedisClientErrorCode, RedisConfigIssue } from './errors.js';

export { defaultRedisOptions } from './config/defaults.js';
export { redisOptionsFromEnv } from './config/from-env.js';
export { redisEnvVariables } from './config/env-variables.js';
export type { RedisEnvVariable } from './config/env-variables.js';
export { describeTarget, describeTls } from './config/describe.js';
export { keyspace, escapeGlob } from './keyspace.js';

export { backoffDelay } from './connection/backoff.js';
export { roleProfile } from './connection/profiles.js';
export type { RoleProfile } from './connection/profiles.js';
export { createRedis } from './connection/create-redis.js';
export { connectRedis } from './connection/connect.js';
export type { ConnectRedisOptions } from './connection/connect.js';
export { pingRedis } from './connection/health.js';
export { closeRedis } from './connection/close.js';
export { commandClassOf } from './connection/command-class.js';
export type { CommandClass } from './connection/command-class.js';
export { sendNow } from './connection/send-now.js';
export { sendInTurn } from './connection/send-in-turn.js';
export { classifyRedisError } from './connection/error-type.js';
export { RedisConnections } from './connection/connections.js';
export { connectAtStartup } from './connection/connect-at-startup.js';
export { silentLogger } from './connection/silent-logger.js';
export { redactRedisOptions } from './connection/redact.js';

// The dependency contract of every package built on Redis.
export type { RedisPackageDeps } from './contract/deps.js';
export { toKeyspace } from './contract/deps.js';
export { duplicateForRole } from './contract/derive.js';

export {
  createRedisClientMetrics,
  OPERATION_DURATION_BUCKETS,
  RedisClientMetrics,
} from './metrics/client-metrics.js';
export { instrumentClient } from './metrics/instrument.js';
export { parseRedisInfo } from './metrics/parse-info.js';
export { RedisServerInfoSampler } from './metrics/server-info-sampler.js';
export type { RedisServerInfoSamplerOptions, ServerInfoSample } from './metrics/server-info-sampler.js';
export { registerServerInfoMetrics } from './metrics/server-metrics.js';

export { ChannelSubscription } from './pubsub/channel-subscription.js';
export type { ChannelSubscriptionHandlers } from './pubsub/channel-subscription.js';
export { ChannelRouter } from './pubsub/channel-router.js';
export { publishCommandFor, publishTo } from './pubsub/publish.js';
export { isCluster } from './connection/client-info.js';

export { RedisScript } from './scripts/script.js';
export type { ScriptArg } from './scripts/script.js';
export { ScriptRegistry } from './scripts/registry.js';

export { runRedisDoctor } from './doctor/doctor.js';
export { formatDoctorReport } from './doctor/format.js';
export { main as runRedisDoctorCli } from './doctor/cli.js';
export { getOrCreate as getOrCreateMetric } from './metrics/registry-util.js';
export { CounterSeries, HistogramSeries } from './metrics/series.js';
export type { AnyRegistry as MetricsRegistry } from './metrics/registry-util.js';

// Resilience helpers the Redis-backed packages share: fail fast while Redis is down, bound every call.
export { CircuitBreaker } from './resilience/circuit-breaker.js';
export { withDeadline } from './resilience/deadline.js';
export { RedisGuard } from './resilience/guarded-calls.js';
export type {
  GuardedClient,
  GuardFailureType,
  RedisGuardErrors,
  RedisGuardOptions,
} from './resilience/guarded-calls.js';

// One event-loop turn's commands as one batch.
export { TurnBatcher } from './batching/turn-batcher.js';
export type { TurnBatch } from './batching/turn-batcher.js';
