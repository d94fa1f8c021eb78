// A throwaway redis-server for one benchmark run: started on a free port, stopped at the end, even on error.
import type * as TestUtils from '@rnh/test-utils';
import type { RedisServerHandle } from '@rnh/test-utils';
import { Redis } from 'ioredis';

export interface BenchRedis {
  readonly server: RedisServerHandle;
  /** `redis_version` from INFO server. */
  readonly version: string;
  /** CPU seconds the server's main thread has used so far (INFO cpu), to charge Redis time per operation. */
  cpuSeconds(): Promise<number>;
}

/**
 * Starts redis-server (never the machine's one on 6379) with persistence off, runs
 * `work`, then destroys the server whether `work` resolved, threw, or the process got
 * SIGINT/SIGTERM.
 */
export async function withRedisServer<T>(work: (redis: BenchRedis) => Promise<T>): Promise<T> {
  const { startRedisServer } = await loadRedisServerModule();
  const server = await startRedisServer();
  const onSignal = (signal: NodeJS.Signals) => {
    void server.destroy().finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // One small admin connection for INFO; it must be closed before the server goes, or it reconnects forever.
  const admin = new Redis({
    host: server.host,
    port: server.port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
    const version = /^redis_version:(\S+)/m.exec(await admin.info('server'))?.[1] ?? 'unknown';
    return await work({ server, version, cpuSeconds: () => cpuSeconds(admin) });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    admin.disconnect();
    await server.destroy();
  }
}

async function cpuSeconds(admin: Redis): Promise<number> {
  const info = await admin.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  const main = field('used_cpu_user_main_thread') + field('used_cpu_sys_main_thread');
  // Older servers only report the whole process.
  return Number.isNaN(main) ? field('used_cpu_user') + field('used_cpu_sys') : main;
}

/**
 * `startRedisServer` from @rnh/test-utils, loaded from its module file next to the package
 * entry: the entry (`dist/index.js`) also exports the Vitest fixture `useRedisServer`, which
 * imports `vitest` at load time, and Vitest refuses to load outside a test run.
 */
async function loadRedisServerModule(): Promise<Pick<typeof TestUtils, 'startRedisServer'>> {
  const entry = import.meta.resolve('@rnh/test-utils');
  return (await import(new URL('./redis-server.js', entry).href)) as Pick<
    typeof TestUtils,
    'startRedisServer'
  >;
}
