import { RedisConfigError } from '../errors.js';
import type { RedisOptions } from '../types.js';
import { defaultRedisOptions } from './defaults.js';
import {
  IssueCollector,
  parseBoolean,
  parseHostList,
  parseInteger,
  parsePort,
  parseRedisUrl,
  quote,
  readVar,
  type Env,
} from './parse.js';
import { TLS_SETTING_VARIABLES, tlsFromEnv } from './tls-from-env.js';

/**
 * Builds options from environment variables (the caller passes `process.env`).
 * Precedence: defaults < REDIS_URL < explicit REDIS_* variables. Every bad value
 * is collected, then thrown as one RedisConfigError naming each variable.
 */
export function redisOptionsFromEnv(env: Env): RedisOptions {
  const issues = new IssueCollector();
  const options = defaultRedisOptions();
  // Remembers which variable set the database, so a cluster conflict names the right one.
  let dbSource = 'REDIS_DB';

  const url = readVar(env, 'REDIS_URL');
  if (url) {
    const parts = parseRedisUrl(url, 'REDIS_URL', issues);
    if (parts) {
      Object.assign(options, { host: parts.host, port: parts.port, tls: parts.tls });
      if (parts.username !== undefined) options.username = parts.username;
      if (parts.password !== undefined) options.password = parts.password;
      if (parts.db !== undefined) {
        options.db = parts.db;
        dbSource = 'REDIS_URL';
      }
    }
  }

  const host = readVar(env, 'REDIS_HOST');
  if (host) options.host = host;
  const username = readVar(env, 'REDIS_USERNAME');
  if (username) options.username = username;
  const password = readVar(env, 'REDIS_PASSWORD');
  if (password) options.password = password;

  const port = readVar(env, 'REDIS_PORT');
  if (port) options.port = parsePort(port, 'REDIS_PORT', issues) ?? options.port;

  const db = readVar(env, 'REDIS_DB');
  if (db) {
    options.db =
      parseInteger(db, 'REDIS_DB', issues, { min: 0, expected: 'a database index, an integer >= 0' }) ??
      options.db;
    dbSource = 'REDIS_DB';
  }

  const tls = readVar(env, 'REDIS_TLS');
  if (tls) options.tls = parseBoolean(tls, 'REDIS_TLS', issues) ?? options.tls;
  readTlsSettings(env, options, issues);

  const prefix = env.REDIS_KEY_PREFIX;
  if (prefix !== undefined && prefix !== '') {
    // Braces would make every key share one hash tag (one cluster slot); whitespace breaks CLI use.
    if (/[\s{}]/.test(prefix)) {
      issues.add(
        'REDIS_KEY_PREFIX',
        `REDIS_KEY_PREFIX must not contain whitespace or { } (got ${quote(prefix)})`,
      );
    } else {
      options.keyPrefix = prefix;
    }
  }

  const integer = (name: string, min: number, expected: string): number | undefined => {
    const raw = readVar(env, name);
    return raw === undefined ? undefined : parseInteger(raw, name, issues, { min, expected });
  };
  options.maxRetriesPerRequest =
    integer('REDIS_MAX_RETRIES', 0, 'an integer >= 0') ?? options.maxRetriesPerRequest;
  options.retryDelayMs =
    integer('REDIS_RETRY_DELAY', 1, 'a delay in milliseconds, an integer >= 1') ?? options.retryDelayMs;
  options.maxRetryDelayMs =
    integer('REDIS_MAX_RETRY_DELAY', 1, 'a delay in milliseconds, an integer >= 1') ??
    options.maxRetryDelayMs;
  options.connectTimeoutMs =
    integer('REDIS_CONNECT_TIMEOUT', 1, 'a timeout in milliseconds, an integer >= 1') ??
    options.connectTimeoutMs;

  readTopology(env, options, issues, dbSource);

  if (issues.issues.length > 0) throw new RedisConfigError(issues.issues);
  return options;
}

/** CA, client certificate and servername: only with TLS on, where they would be used. */
function readTlsSettings(env: Env, options: RedisOptions, issues: IssueCollector): void {
  const settings = tlsFromEnv(env, issues);
  const given = TLS_SETTING_VARIABLES.filter((name) => readVar(env, name));
  if (given.length > 0 && !options.tls) {
    issues.add(
      given[0]!,
      `${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set but TLS is off: use a rediss:// REDIS_URL or REDIS_TLS=true`,
    );
  } else if (settings && options.tls) {
    options.tls = settings;
  }
}

function readTopology(env: Env, options: RedisOptions, issues: IssueCollector, dbSource: string): void {
  const sentinelsRaw = readVar(env, 'REDIS_SENTINELS');
  const sentinelName = readVar(env, 'REDIS_SENTINEL_NAME');
  const clusterRaw = readVar(env, 'REDIS_CLUSTER_NODES');

  if (sentinelsRaw && clusterRaw) {
    issues.add(
      'REDIS_CLUSTER_NODES',
      'REDIS_CLUSTER_NODES and REDIS_SENTINELS cannot both be set: choose cluster or sentinel mode',
    );
    return;
  }
  if (sentinelsRaw) {
    const sentinels = parseHostList(sentinelsRaw, 'REDIS_SENTINELS', issues);
    if (!sentinelName) {
      issues.add(
        'REDIS_SENTINEL_NAME',
        'REDIS_SENTINEL_NAME is required with REDIS_SENTINELS: the master group name, e.g. "mymaster"',
      );
    }
    if (sentinels && sentinelName) Object.assign(options, { mode: 'sentinel', sentinels, sentinelName });
    return;
  }
  if (sentinelName) {
    issues.add(
      'REDIS_SENTINEL_NAME',
      'REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not: list the sentinels as host:port,host:port',
    );
  }
  if (clusterRaw) {
    const clusterNodes = parseHostList(clusterRaw, 'REDIS_CLUSTER_NODES', issues);
    if (options.db !== 0) {
      issues.add(
        dbSource,
        `${dbSource === 'REDIS_URL' ? "REDIS_URL's database" : 'REDIS_DB'} must be 0 in cluster mode: Redis Cluster has only database 0 (got ${options.db})`,
      );
    }
    if (clusterNodes) Object.assign(options, { mode: 'cluster', clusterNodes });
  }
}
