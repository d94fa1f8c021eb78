import { waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { sleep, useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis({ appendOnly: true });

const noop = async () => undefined;

describe('when Redis goes away', () => {
  it('the worker stays up, reconnects and processes the jobs that were waiting', async () => {
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
    await redis.server.restart();

    await waitFor(() => setup.connections.shared('producer').status === 'ready', { what: 'reconnect' });
    await producer.enqueue('welcome', { to: 'c@example.com', userId: 'after' });
    await waitFor(() => done.length === 3, { what: 'the delayed job and the new one', timeoutMs: 15_000 });
    expect(done.sort()).toEqual(['after', 'before', 'delayed']);
    expect(worker.isRunning()).toBe(true);
  });
});
