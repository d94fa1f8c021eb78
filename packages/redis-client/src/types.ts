import type { Cluster, Redis } from 'ioredis';
import type { Registry, RegistryContentType } from 'prom-client';

/** The subset of pino's API this package logs through; a pino logger fits as is. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

export interface HostPort {
  host: string;
  port: number;
}

/**
 * TLS beyond "on": PEM text (or Buffers) as Node's `tls.connect` takes them. `redisOptionsFromEnv`
 * reads them from the files REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE name.
 */
export interface RedisTlsOptions {
  /** CA certificate(s) the server's certificate must chain to; without it, Node's built-in CAs. */
  ca?: string | Buffer;
  /** Client certificate for servers that require one (`tls-auth-clients yes`); needs `key`. */
  cert?: string | Buffer;
  /** Private key of `cert`. */
  key?: string | Buffer;
  /** Name the server's certificate must carry (and the SNI sent) when it differs from the host. */
  servername?: string;
}

export interface RedisOptions {
  mode: RedisMode;
  /** Standalone server (default 127.0.0.1:6379); unused in sentinel and cluster mode. */
  host: string;
  port: number;
  /** ACL user (Redis 6+); without it the password authenticates the `default` user. */
  username?: string;
  password?: string;
  /** Database index; must be 0 in cluster mode. */
  db: number;
  /** `true` (or settings) for TLS; the server's certificate is always verified. */
  tls: boolean | RedisTlsOptions;
  sentinels: HostPort[];
  /** Master group name; required in sentinel mode. */
  sentinelName?: string;
  clusterNodes: HostPort[];
  /** Prefix of every key this platform writes, e.g. `rnh:`; applied through `keyspace()`, not ioredis. */
  keyPrefix: string;
  maxRetriesPerRequest: number;
  /** Base of the exponential reconnect backoff. */
  retryDelayMs: number;
  /** Cap of the reconnect backoff. */
  maxRetryDelayMs: number;
  connectTimeoutMs: number;
}

/**
 * What a connection is for; each role gets its own ioredis profile:
 * `commands` auto-pipelines, `subscriber` is for pub/sub, `producer` fails fast,
 * `worker` never gives up on a command (BullMQ requires `maxRetriesPerRequest: null`).
 */
export type RedisRole = 'commands' | 'subscriber' | 'producer' | 'worker';

export type RedisClient = Redis | Cluster;

export interface CreateRedisExtra {
  /** CLIENT SETNAME value; defaults to `rnh:<role>`. */
  connectionName?: string;
  logger?: Logger;
  /** `pool` field in the client's log lines; defaults to the role. */
  pool?: string;
}

export interface RedisHealth {
  status: 'up' | 'down';
  latencyMs: number | null;
  error?: string;
}

export interface Keyspace {
  /** The full prefix including domains, e.g. `rnh:cache:`. */
  readonly prefix: string;
  /** `rnh:cache:` + parts joined by `:`. */
  key(...parts: (string | number)[]): string;
  /** A nested keyspace, e.g. `child('users')` -> `rnh:cache:users:`. */
  child(...domain: string[]): Keyspace;
  /** A SCAN MATCH pattern for keys in this keyspace; glob characters in the prefix are escaped. */
  pattern(glob?: string): string;
  /** `{tag}`: keys that share it land on one cluster slot, so scripts and transactions can use them together. */
  hashTag(tag: string | number): string;
}

export interface RedisConnectionsDeps {
  options: RedisOptions;
  logger: Logger;
  /**
   * When given, client and server metrics are registered here (never on the global registry).
   * Either content type: with OpenMetrics (set it before constructing), the duration histogram carries exemplars.
   */
  registry?: Registry<RegistryContentType>;
  /** How long one INFO sample serves scrapes; default 5000 ms. */
  serverInfoCacheMs?: number;
}

export interface ConnectionEntry {
  pool: string;
  role: RedisRole | 'borrowed';
  client: RedisClient;
}

export interface ScriptDefinition {
  name: string;
  lua: string;
  /** Number of KEYS the script takes (the rest of its arguments are ARGV). */
  keys: number;
}

export interface DoctorCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

export interface DoctorServerInfo {
  version: string;
  role: string;
  mode: string;
  usedMemoryBytes: number;
  maxMemoryBytes: number;
  evictionPolicy: string;
  rdb: boolean;
  aof: boolean;
  latencyMs: number;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
  server?: DoctorServerInfo;
}

export interface DoctorContext {
  /** Production turns some advice (no password) into warnings. */
  production: boolean;
  logger?: Logger;
}
