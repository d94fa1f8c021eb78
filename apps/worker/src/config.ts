// The worker's one place that reads the environment. Everything else gets values from here.
import {
  ConfigError,
  logLevel,
  logPretty,
  milliseconds,
  nodeEnv,
  parseEnv,
  port,
  serviceName,
} from '@rnh/config';
import { redisOptionsFromEnv, type RedisOptions } from '@rnh/redis-client';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export { ConfigError };

// A relative WORKER_DATA_DIR is the app's own (apps/worker/.data by default), not the caller's cwd,
// so a script started from the repository root uses the data the running app uses.
const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface WorkerConfig {
  nodeEnv: 'development' | 'production' | 'test';
  serviceName: string;
  /** The worker's own HTTP port for /health, /ready and /metrics. */
  http: { host: string; port: number };
  log: { level: string; pretty: boolean };
  redis: RedisOptions;
  heartbeatIntervalMs: number;
  shutdownTimeoutMs: number;
  /** Jobs of the email queue sent at once. */
  emailConcurrency: number;
  /** Where development mail is written (`<WORKER_DATA_DIR>/mail`, relative to apps/worker) when no SMTP server is set. */
  dataDir: string;
  mail: { smtpUrl: string | undefined; from: string };
  /** Opens the sealed links of mail jobs; the api's JOB_SECRET_KEY. */
  jobSecretKey: string;
}

// Only for development and tests (the api's default is the same); production refuses to start without one.
const DEVELOPMENT_JOB_SECRET_KEY = 'development-only-job-secret-key-change-me';

/** Every variable the worker reads besides Redis's (`redisOptionsFromEnv`), with its default and meaning. */
export const configSchema = z.object({
  NODE_ENV: nodeEnv(),
  WORKER_HOST: z
    .string()
    .min(1, 'WORKER_HOST must be a host name or address')
    .default('0.0.0.0')
    .describe("address of the worker's `/health`, `/ready` and `/metrics` listener"),
  WORKER_PORT: port('WORKER_PORT', 3001).describe("port of the worker's `/health`, `/ready` and `/metrics`"),
  WORKER_HEARTBEAT_MS: milliseconds('WORKER_HEARTBEAT_MS', 10_000).describe(
    'how often a worker renews its presence key (`rnh:workers:<host>:<pid>`, expires after 3 missed beats), ms',
  ),
  WORKER_SHUTDOWN_TIMEOUT_MS: milliseconds('WORKER_SHUTDOWN_TIMEOUT_MS', 30_000).describe(
    'how long running work may finish after SIGTERM, ms',
  ),
  WORKER_EMAIL_CONCURRENCY: z.coerce
    .number({ error: 'WORKER_EMAIL_CONCURRENCY must be a whole number from 1 to 100' })
    .int('WORKER_EMAIL_CONCURRENCY must be a whole number from 1 to 100')
    .min(1, 'WORKER_EMAIL_CONCURRENCY must be a whole number from 1 to 100')
    .max(100, 'WORKER_EMAIL_CONCURRENCY must be a whole number from 1 to 100')
    .default(10)
    .describe('mail sent at once by one worker'),
  WORKER_DATA_DIR: z
    .string()
    .min(1, 'WORKER_DATA_DIR must be a directory path')
    .default('.data')
    .describe("the worker's files: development mail under `mail/`; a relative path is from apps/worker"),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'SMTP_URL must be an smtp:// or smtps:// URL')
    .optional()
    .describe(
      '`smtp://` or `smtps://` server for mail; without it mail is written as `.eml` files under `WORKER_DATA_DIR/mail`',
    ),
  MAIL_FROM: z
    .string()
    .min(3, 'MAIL_FROM must be an address such as "RNH <no-reply@example.com>"')
    .default('RNH <no-reply@localhost>')
    .describe("sender of the platform's mail"),
  JOB_SECRET_KEY: z.string().min(32, 'JOB_SECRET_KEY must be at least 32 characters').optional().meta({
    description:
      'seals token links in queued mail; the same in the api and the worker, at least 32 characters',
    defaultNote: 'a fixed development value',
    production: 'required, at least 32 random characters, the same in the api and the worker',
  }),
  LOG_LEVEL: logLevel(),
  LOG_PRETTY: logPretty(),
  OTEL_SERVICE_NAME: serviceName('rnh-worker'),
});

/** Reads and validates the worker's configuration; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  const values = parseEnv(configSchema, env, { redis: redisOptionsFromEnv });
  const problems = values.NODE_ENV === 'production' ? productionProblems(values) : [];
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    nodeEnv: values.NODE_ENV,
    serviceName: values.OTEL_SERVICE_NAME,
    http: { host: values.WORKER_HOST, port: values.WORKER_PORT },
    log: { level: values.LOG_LEVEL, pretty: values.LOG_PRETTY },
    redis: values.redis,
    heartbeatIntervalMs: values.WORKER_HEARTBEAT_MS,
    shutdownTimeoutMs: values.WORKER_SHUTDOWN_TIMEOUT_MS,
    emailConcurrency: values.WORKER_EMAIL_CONCURRENCY,
    dataDir: resolve(APP_DIR, values.WORKER_DATA_DIR),
    mail: { smtpUrl: values.SMTP_URL, from: values.MAIL_FROM },
    jobSecretKey: values.JOB_SECRET_KEY ?? DEVELOPMENT_JOB_SECRET_KEY,
  };
}

/** What production refuses to start without, each problem naming the variable to set. */
function productionProblems(
  values: Pick<z.infer<typeof configSchema>, 'JOB_SECRET_KEY'> & { redis: RedisOptions },
): string[] {
  const problems: string[] = [];
  if (!values.JOB_SECRET_KEY)
    problems.push(
      "JOB_SECRET_KEY must be set in production (at least 32 random characters, the api's JOB_SECRET_KEY)",
    );
  // Redis holds the queued jobs (mail with its sealed links) and the sessions the worker prunes.
  if (!values.redis.password)
    problems.push(
      'REDIS_PASSWORD must be set in production (or a password in REDIS_URL): without one, anyone who ' +
        "reaches Redis can read and change jobs and sessions. Best with REDIS_USERNAME, the worker's own " +
        'ACL user (docs/operations.md).',
    );
  return problems;
}
