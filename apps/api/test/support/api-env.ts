// The environment of an api process under test: its own data dir, Redis prefix and quiet logs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startAppProcess, uniquePrefix, type AppProcess } from '@rnh/test-utils';

export const apiDir = fileURLToPath(new URL('../..', import.meta.url));
export const workerDir = fileURLToPath(new URL('../../../worker', import.meta.url));

/**
 * Limits far above what a test does, for tests about something else: every request of a test
 * comes from 127.0.0.1, and the defaults (100 requests per 15 minutes) would stop it.
 * test/rate-limits.e2e.test.ts sets its own.
 */
export const GENEROUS_RATE_LIMITS = {
  RATE_LIMIT_GLOBAL: '100000/1m',
  RATE_LIMIT_API: '100000/1m',
  RATE_LIMIT_AUTH: '10000/1m',
  RATE_LIMIT_AUTH_ACCOUNT: '10000/1m',
  RATE_LIMIT_SIGNUP: '10000/1m',
  RATE_LIMIT_EMAIL_USER: '10000/1m',
  RATE_LIMIT_EMAIL_ADDRESS: '10000/1m',
};

/**
 * scrypt at 2^10 instead of production's 2^17 (128 MiB and a few hundred ms per hash): the suites
 * sign up hundreds of users. src/users/passwords.test.ts and test/passwords.e2e.test.ts use the default.
 */
export const FAST_PASSWORD_HASHING = { PASSWORD_HASH_COST: '10' };

export function apiTestEnv(redisUrl: string, name: string, extra: Record<string, string> = {}) {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    OTEL_TRACES_EXPORTER: 'none',
    API_HOST: '127.0.0.1',
    API_DATA_DIR: mkdtempSync(join(tmpdir(), `rnh-${name}-`)),
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: uniquePrefix(name),
    REDIS_CONNECT_TIMEOUT: '1000',
    SESSION_SECRET: 'test-session-secret-with-at-least-32-chars',
    // Not production's 250 ms: on a busy test machine a fail-closed limiter would answer 503 to a
    // sign-in that merely waited. Tests about an unreachable Redis see its failure at once anyway.
    RATE_LIMIT_OPERATION_TIMEOUT_MS: '2000',
    SESSION_OPERATION_TIMEOUT_MS: '3000',
    ...GENEROUS_RATE_LIMITS,
    ...FAST_PASSWORD_HASHING,
    ...extra,
  };
}

export interface ApiProcess extends AppProcess {
  /** The api's metrics listener (GET /metrics), on a port of its own. */
  metricsUrl: string;
}

/**
 * Starts the built api (dist/main.js) on a free port with this environment, and its metrics
 * listener on another (unless the environment names one).
 */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  let metricsPort = env.API_METRICS_PORT;
  while (metricsPort === undefined || metricsPort === String(port)) metricsPort = String(await freePort());
  const api = await startAppProcess({
    cwd: apiDir,
    port,
    env: { API_METRICS_PORT: metricsPort, ...env, API_PORT: String(port) },
  });
  return Object.assign(api, { metricsUrl: `http://127.0.0.1:${metricsPort}` });
}

/**
 * Starts the built worker (apps/worker/dist/main.js) on the api's Redis, prefix and job secret key. It writes
 * mail under the api's data dir (`<API_DATA_DIR>/mail`), where the tests read it. `port`: the port of a
 * worker started before, to start it again where Prometheus scrapes it (default: a free one). `env`: the
 * worker's own variables on top, such as its Redis user.
 */
export async function startWorkerProcess(
  apiEnv: Record<string, string>,
  options: { port?: number; env?: Record<string, string> } = {},
): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  return startAppProcess({
    cwd: workerDir,
    port,
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: apiEnv.LOG_LEVEL ?? 'warn',
      OTEL_TRACES_EXPORTER: apiEnv.OTEL_TRACES_EXPORTER ?? 'none',
      WORKER_HOST: '127.0.0.1',
      WORKER_PORT: String(port),
      WORKER_DATA_DIR: apiEnv.API_DATA_DIR!,
      REDIS_URL: apiEnv.REDIS_URL!,
      REDIS_KEY_PREFIX: apiEnv.REDIS_KEY_PREFIX!,
      ...Object.fromEntries(
        Object.entries(apiEnv).filter(
          ([name]) => name.startsWith('OTEL_') || name === 'SMTP_URL' || name === 'JOB_SECRET_KEY',
        ),
      ),
      ...options.env,
    },
  });
}
