// The apps of a fault test: the built api and worker on a Redis topology given by environment
// variables (REDIS_SENTINELS, REDIS_CLUSTER_NODES), with PGlite and the file mailer in a data dir
// of their own, removed when the test ends.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AppProcess } from '@rnh/test-utils';
import { apiTestEnv, startApiProcess, startWorkerProcess, type ApiProcess } from '../support/api-env.js';

export interface FaultStack {
  readonly env: Record<string, string>;
  readonly apis: ApiProcess[];
  readonly workers: AppProcess[];
  /** Where the worker's file mailer writes. */
  readonly mailDir: string;
  stop(): Promise<void>;
}

/** Starts `apis` api and `workers` worker processes (default one each) on the topology. */
export async function startFaultStack(
  name: string,
  topology: Record<string, string>,
  counts: { apis?: number; workers?: number } = {},
): Promise<FaultStack> {
  // Only the topology's variables name the nodes: REDIS_SENTINELS or REDIS_CLUSTER_NODES alone,
  // or a REDIS_URL of its own (without one, the apps would use 127.0.0.1:6379).
  const { REDIS_URL: _noUrl, ...base } = apiTestEnv('', name, {
    // What the test is about is a fault, not a CPU-starved machine: on a busy 2-core machine a
    // session or limiter call can wait seconds for its turn. A real outage still fails them.
    SESSION_OPERATION_TIMEOUT_MS: '10000',
    RATE_LIMIT_OPERATION_TIMEOUT_MS: '10000',
  });
  const env = { ...base, ...topology };
  if (!['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'].some((name) => topology[name]))
    throw new Error(
      'startFaultStack: the topology names no Redis (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES)',
    );
  const apis: ApiProcess[] = [];
  const workers: AppProcess[] = [];
  const stop = async () => {
    await Promise.all([...apis, ...workers].map((app) => app.stop()));
    rmSync(env.API_DATA_DIR, { recursive: true, force: true });
  };
  try {
    // One at a time: the first api creates the database schema.
    for (let index = 0; index < (counts.apis ?? 1); index += 1) apis.push(await startApiProcess(env));
    for (let index = 0; index < (counts.workers ?? 1); index += 1)
      workers.push(await startWorkerProcess(env, { env: topology }));
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, apis, workers, mailDir: join(env.API_DATA_DIR, 'mail'), stop };
}
