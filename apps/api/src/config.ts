// The api's one place that reads the environment. Everything else gets values from here.
import { booleanFlag, logLevel, milliseconds, nodeEnv, parseEnv, port } from '@rnh/config';
import { redisOptionsFromEnv, type RedisOptions } from '@rnh/redis-client';
import { z } from 'zod';

export { ConfigError } from '@rnh/config';

export interface ApiConfig {
  nodeEnv: 'development' | 'production' | 'test';
  serviceName: string;
  http: { host: string; port: number; trustProxy: boolean | number | string };
  log: { level: string; pretty: boolean };
  redis: RedisOptions;
  shutdownTimeoutMs: number;
}

const schema = z.object({
  NODE_ENV: nodeEnv(),
  API_HOST: z.string().min(1, 'API_HOST must be a host name or address').default('0.0.0.0'),
  API_PORT: port('API_PORT', 3000),
  API_TRUST_PROXY: z.string().default('false'),
  API_SHUTDOWN_TIMEOUT_MS: milliseconds('API_SHUTDOWN_TIMEOUT_MS', 10_000),
  LOG_LEVEL: logLevel(),
  LOG_PRETTY: booleanFlag('LOG_PRETTY', false),
  OTEL_SERVICE_NAME: z.string().min(1, 'OTEL_SERVICE_NAME must not be empty').default('rnh-api'),
});

/** Reads and validates the api's configuration; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const values = parseEnv(schema, env, { redis: redisOptionsFromEnv });
  return {
    nodeEnv: values.NODE_ENV,
    serviceName: values.OTEL_SERVICE_NAME,
    http: { host: values.API_HOST, port: values.API_PORT, trustProxy: parseTrustProxy(values.API_TRUST_PROXY) },
    log: { level: values.LOG_LEVEL, pretty: values.LOG_PRETTY },
    redis: values.redis,
    shutdownTimeoutMs: values.API_SHUTDOWN_TIMEOUT_MS,
  };
}

/** Express's `trust proxy`: off by default; `true`, a hop count, or a list of addresses/subnets. */
function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'false' || value === '0' || value === '') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
