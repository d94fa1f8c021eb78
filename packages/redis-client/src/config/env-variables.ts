// Every variable redisOptionsFromEnv reads, with its default and meaning: what the apps'
// docs/configuration.md and .env.example list for Redis. Defaults come from defaultRedisOptions().
import { defaultRedisOptions } from './defaults.js';

export interface RedisEnvVariable {
  name: string;
  /** The default as a .env file would write it; undefined when there is none. */
  default?: string;
  /** One line of meaning. */
  description: string;
  /** What the apps require of it with NODE_ENV=production, if anything. */
  production?: string;
}

const defaults = defaultRedisOptions();

export const redisEnvVariables: readonly RedisEnvVariable[] = [
  {
    name: 'REDIS_URL',
    description:
      '`redis://` or `rediss://`, with `user:password@` and `/db`; the variables below override its parts',
  },
  { name: 'REDIS_HOST', default: defaults.host, description: 'host of a standalone server' },
  { name: 'REDIS_PORT', default: String(defaults.port), description: 'port of a standalone server' },
  {
    name: 'REDIS_USERNAME',
    description: 'ACL user (Redis 6+); each app its own, see docs/operations.md',
  },
  {
    name: 'REDIS_PASSWORD',
    description: "the ACL user's password, or the default user's",
    production: 'required (or a password in `REDIS_URL`), ideally of an ACL user (`REDIS_USERNAME`)',
  },
  { name: 'REDIS_DB', default: String(defaults.db), description: 'database index (must be 0 on a cluster)' },
  {
    name: 'REDIS_TLS',
    default: String(defaults.tls),
    description: "TLS; `rediss://` turns it on. The server's certificate is always verified",
  },
  {
    name: 'REDIS_TLS_CA_FILE',
    description:
      "PEM file of the CA that signed the server's certificate (a private CA); without it, Node's built-in CAs",
  },
  {
    name: 'REDIS_TLS_CERT_FILE',
    description:
      'PEM client certificate, for a server that requires one (`tls-auth-clients yes`); with `REDIS_TLS_KEY_FILE`',
  },
  {
    name: 'REDIS_TLS_KEY_FILE',
    description: 'PEM private key of `REDIS_TLS_CERT_FILE`, without a passphrase (readable by the app only)',
  },
  {
    name: 'REDIS_TLS_SERVERNAME',
    description:
      "name the server's certificate must carry when it differs from the host (connecting by IP, a tunnel)",
  },
  { name: 'REDIS_KEY_PREFIX', default: defaults.keyPrefix, description: 'prefix of every key written' },
  {
    name: 'REDIS_MAX_RETRIES',
    default: String(defaults.maxRetriesPerRequest),
    description: 'retries of one command across reconnects (`commands` role)',
  },
  {
    name: 'REDIS_RETRY_DELAY',
    default: String(defaults.retryDelayMs),
    description: 'reconnect backoff base, ms (exponential, full jitter)',
  },
  {
    name: 'REDIS_MAX_RETRY_DELAY',
    default: String(defaults.maxRetryDelayMs),
    description: 'reconnect backoff cap, ms',
  },
  {
    name: 'REDIS_CONNECT_TIMEOUT',
    default: String(defaults.connectTimeoutMs),
    description: 'how long one connection attempt may take, ms',
  },
  {
    name: 'REDIS_SENTINELS',
    description: '`host:port,host:port` of the sentinels (enables sentinel mode)',
  },
  { name: 'REDIS_SENTINEL_NAME', description: "the sentinels' master group name, such as `mymaster`" },
  {
    name: 'REDIS_CLUSTER_NODES',
    description: '`host:port,host:port` of cluster nodes (enables cluster mode)',
  },
];
