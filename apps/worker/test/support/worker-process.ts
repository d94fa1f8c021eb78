// Starts the built worker (dist/main.js) as its own process on a test's Redis and key prefix.
import { fileURLToPath } from 'node:url';
import { freePort, startAppProcess, type AppProcess, type RedisServerHandle } from '@rnh/test-utils';

const workerDir = fileURLToPath(new URL('../..', import.meta.url));

export async function startWorkerProcess(
  redis: RedisServerHandle,
  prefix: string,
  env: Record<string, string> = {},
): Promise<AppProcess> {
  const port = await freePort();
  return startAppProcess({
    cwd: workerDir,
    port,
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      OTEL_TRACES_EXPORTER: 'none',
      WORKER_HOST: '127.0.0.1',
      WORKER_PORT: String(port),
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      ...env,
    },
  });
}
