// One e2e test file's running system: a real redis-server, the built api on it and, when asked,
// the worker and an OTLP collector receiving both apps' traces. Started before the file's tests
// and stopped after them, data dir included.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  startRedisServer,
  type AppProcess,
  type RedisServerHandle,
  type StartRedisServerOptions,
} from '@rnh/test-utils';
import { afterAll, beforeAll, expect } from 'vitest';
import { apiTestEnv, startApiProcess, startWorkerProcess, type ApiProcess } from './api-env.js';
import type { HttpClient } from './http-client.js';
import { startOtlpCollector, type OtlpCollector } from './otlp-collector.js';

export interface ApiStackOptions {
  /** Start the worker too (mail, jobs). */
  worker?: boolean;
  /** Export both apps' traces to an OTLP collector of the test's own (`stack.collector`). */
  tracing?: boolean;
  /** Environment on top of apiTestEnv's. */
  env?: Record<string, string>;
  /** How to start redis-server, e.g. `{ appendOnly: true }` to keep data across its restart. */
  redis?: StartRedisServerOptions;
}

export interface ApiStack {
  readonly redis: RedisServerHandle;
  readonly env: Record<string, string>;
  /** The api started last. */
  readonly api: ApiProcess;
  /** The worker started last (with `worker: true`). */
  readonly worker: AppProcess;
  /** With `tracing: true`. */
  readonly collector: OtlpCollector;
  /** Where the worker writes the mail it sends. */
  mailDir(): string;
  /** Starts another api on the same environment, for a test that stopped the first. */
  startApi(): Promise<ApiProcess>;
  /** Starts another worker on the same environment, for a test that stopped the first. */
  startWorker(): Promise<AppProcess>;
}

/** Registers the file's beforeAll and afterAll; read the parts inside tests and hooks. */
export function useApiStack(name: string, options: ApiStackOptions = {}): ApiStack {
  let redis: RedisServerHandle | undefined;
  let collector: OtlpCollector | undefined;
  let env: Record<string, string> | undefined;
  let api: ApiProcess | undefined;
  let worker: AppProcess | undefined;

  const stack: ApiStack = {
    get redis() {
      return redis!;
    },
    get env() {
      return env!;
    },
    get api() {
      return api!;
    },
    get worker() {
      return worker!;
    },
    get collector() {
      return collector!;
    },
    mailDir: () => join(env!.API_DATA_DIR!, 'mail'),
    startApi: async () => (api = await startApiProcess(env!)),
    startWorker: async () => (worker = await startWorkerProcess(env!)),
  };

  beforeAll(async () => {
    redis = await startRedisServer(options.redis);
    if (options.tracing) collector = await startOtlpCollector();
    env = apiTestEnv(redis.url, name, {
      ...(collector && {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        // Spans exported within 100 ms, so a test need not wait long for them.
        OTEL_BSP_SCHEDULE_DELAY: '100',
      }),
      ...options.env,
    });
    await stack.startApi();
    if (options.worker) await stack.startWorker();
  });
  afterAll(async () => {
    // Stopping twice is harmless: a test may have stopped either already.
    await worker?.stop();
    await api?.stop();
    await collector?.close();
    await redis?.destroy();
    if (env) rmSync(env.API_DATA_DIR!, { recursive: true, force: true });
  });

  return stack;
}

export interface NewUser {
  email: string;
  password: string;
  displayName: string;
}

/** Signs `client` up (its cookie jar holds the new session) and returns the user the api made. */
export async function signUp(
  client: HttpClient,
  user: NewUser,
  headers: Record<string, string> = {},
): Promise<{ id: string; email: string; displayName: string; emailVerified: boolean }> {
  const res = await client.post<{
    user: { id: string; email: string; displayName: string; emailVerified: boolean };
  }>('/auth/signup', user, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.user;
}
