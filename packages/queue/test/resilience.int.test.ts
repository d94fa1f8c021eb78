import { itOnStandalone, waitFor } from '@rnh/test-utils';
import type { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { sleep, useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis();

const noop = async () => undefined;

/** Turns the append-only file on and waits until Redis has written the data in memory to it. */
async function enableAppendOnly(admin: Redis): Promise<void> {
  const persistence = async () =>
    Object.fromEntries(
      (await admin.info('persistence'))
        .split('\r\n')
        .filter((line) => line.includes(':'))
        .map((line) => line.split(':', 2) as [string, string]),
    );
  const rewritesBefore = Number((await persistence()).aof_rewrites);
  await admin.config('SET', 'appendonly', 'yes');
  await waitFor(
    async () => {
      const info = await persistence();
      return (
        Number(info.aof_rewrites) > rewritesBefore &&
        info.aof_rewrite_in_progress === '0' &&
        info.aof_rewrite_scheduled === '0'
      );
    },
    { timeoutMs: 60_000, intervalMs: 100, what: 'the append-only file to be written' },
  );
}

describe('when Redis goes away', () => {
  // Kills and restarts the one server.
  itOnStandalone('the worker stays up, reconnects and processes the jobs that were waiting', async () => {
    await enableAppendOnly(redis.admin as Redis);
    const setup = redis.setup();
    const definition = mailQueue();
    const done: string[] = [];
    const worker = await setup.worker(definition, {
      handlers: { welcome: ({ userId }) => void done.push(userId), digest: noop, flaky: noop },
    });
    const producer = setup.producer(definition);
    await producer.enqueue('welcome', { to: 'a@example.com', userId: 'before' });
    await waitFor(() => done.length === 1, { what: 'the first job' });
    // A job delayed past the outage; the append-only file keeps it across the restart.
    await producer.enqueue('welcome', { to: 'b@example.com', userId: 'delayed' }, { delayMs: 1500 });

    await redis.server.kill();
    await sleep(300);
    // The config file says `appendonly no`: this start loads the append-only file instead.
    await redis.server.restart({ args: ['--appendonly', 'yes'] });

    await waitFor(() => setup.connections.shared('producer').status === 'ready', { what: 'reconnect' });
    await producer.enqueue('welcome', { to: 'c@example.com', userId: 'after' });
    await waitFor(() => done.length === 3, { what: 'the delayed job and the new one', timeoutMs: 15_000 });
    expect(done.sort()).toEqual(['after', 'before', 'delayed']);
    expect(worker.isRunning()).toBe(true);
  });
});
