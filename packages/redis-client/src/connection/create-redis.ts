import { Cluster, Redis, type ClusterOptions, type RedisOptions as IORedisOptions } from 'ioredis';
import { describeTarget } from '../config/describe.js';
import type { CreateRedisExtra, RedisClient, RedisOptions, RedisRole } from '../types.js';
import { backoffDelay } from './backoff.js';
import { attachLogging } from './events.js';
import { roleProfile } from './profiles.js';
import { silentLogger } from './silent-logger.js';
import { tlsConnectOptions } from './tls.js';

/** How often a Cluster client reads the slot table even when nothing told it to (ioredis 4's default). */
const CLUSTER_SLOTS_REFRESH_MS = 5000;

/** READONLY means we hit a replica after a failover: reconnect (to the new master) and resend. */
function reconnectOnError(error: Error): boolean | 2 {
  return error.message.startsWith('READONLY') ? 2 : false;
}

/**
 * Creates an ioredis client (standalone, sentinel or cluster) for one role.
 * It starts connecting right away; use `connectRedis()` to wait for it and get
 * a clear error if it cannot connect. No `keyPrefix`: see `keyspace()`.
 */
export function createRedis(
  options: RedisOptions,
  role: RedisRole,
  extra: CreateRedisExtra = {},
): RedisClient {
  const profile = roleProfile(role, options);
  const tls = tlsConnectOptions(options.tls);
  const retryStrategy = (attempt: number): number =>
    backoffDelay(attempt, options.retryDelayMs, options.maxRetryDelayMs);
  const common = {
    username: options.username,
    password: options.password,
    connectTimeout: options.connectTimeoutMs,
    connectionName: extra.connectionName ?? `rnh:${role}`,
    maxRetriesPerRequest: profile.maxRetriesPerRequest,
    enableAutoPipelining: profile.enableAutoPipelining,
    reconnectOnError,
    // CLIENT SETINFO exists only from Redis 7.2; on older servers it fails on every connect (an error span each time).
    disableClientInfo: true,
    ...(tls ? { tls } : {}),
  } satisfies IORedisOptions;

  let client: RedisClient;
  if (options.mode === 'cluster') {
    const clusterOptions: ClusterOptions & { maxRetriesPerRequest: number | null } = {
      redisOptions: common,
      clusterRetryStrategy: retryStrategy,
      enableOfflineQueue: profile.enableOfflineQueue,
      enableAutoPipelining: profile.enableAutoPipelining,
      // ioredis routes auto-pipelined EVALSHA by the script's sha instead of its keys
      // (redis/ioredis#2109), so concurrent scripts fail on a cluster; send them alone.
      autoPipeliningIgnoredCommands: ['eval', 'evalsha'],
      // Read the slot table again every few seconds. ioredis 5 no longer does by default, and
      // it updates the table on a MOVED only for a single command or a pipeline it can resend
      // whole: a pipeline with a keyless command in it (WAIT, PUBLISH) gets MOVED back as its
      // result. After a failover such pipelines kept failing for the slots that had moved, for
      // as long as no other command came by to update the table.
      slotsRefreshInterval: CLUSTER_SLOTS_REFRESH_MS,
      // Not a ClusterOptions field in the typings, but BullMQ inspects it on the client it is given.
      maxRetriesPerRequest: profile.maxRetriesPerRequest,
    };
    client = new Cluster(options.clusterNodes, clusterOptions);
  } else if (options.mode === 'sentinel') {
    client = new Redis({
      ...common,
      db: options.db,
      sentinels: options.sentinels,
      name: options.sentinelName,
      sentinelPassword: options.password,
      retryStrategy,
      sentinelRetryStrategy: retryStrategy,
      // Not ioredis's `failoverDetector`: RedisConnections follows Sentinel's announcements of
      // a new master itself (see sentinel-switch.ts for why).
      enableOfflineQueue: profile.enableOfflineQueue,
      // With TLS on, talk TLS to the sentinels and to the master they point at.
      ...(tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
    });
  } else {
    client = new Redis({
      ...common,
      host: options.host,
      port: options.port,
      db: options.db,
      retryStrategy,
      enableOfflineQueue: profile.enableOfflineQueue,
    });
  }

  attachLogging(client, {
    pool: extra.pool ?? role,
    role,
    target: describeTarget(options),
    logger: extra.logger ?? silentLogger(),
  });
  return client;
}
