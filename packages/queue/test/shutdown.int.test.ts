import { itOnStandalone, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { QueueWorker } from '../src/index.js';
import { metricValue, sleep, useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis();

const noop = async () => undefined;

describe('graceful shutdown (in one process)', () => {
  it('lets a running job finish within the deadline and takes no new one', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const started: string[] = [];
    const finished: string[] = [];
    const worker = await setup.worker(definition, {
      handlers: {
        welcome: async ({ userId }) => {
          started.push(userId);
          await sleep(300);
          finished.push(userId);
        },
        digest: noop,
        flaky: noop,
      },
    });
    const producer = setup.producer(definition);
    const first = await producer.enqueue('welcome', { to: 'a@example.com', userId: 'first' });
    await waitFor(() => started.length === 1, { what: 'the first job to start' });
    const second = await producer.enqueue('welcome', { to: 'b@example.com', userId: 'second' });

    const result = await worker.close({ timeoutMs: 10_000 });

    expect(result).toEqual({ timedOut: false, abandoned: 0 });
    expect(finished).toEqual(['first']);
    const inspect = setup.inspect(definition);
    expect(await inspect.getJobState(first.id)).toBe('completed');
    expect(await inspect.getJobState(second.id)).toBe('waiting');
    expect(worker.isRunning()).toBe(false);
  });

  it('gives a job up at the deadline (signal aborted, no attempt spent) and another worker completes it', async () => {
    const first = redis.setup();
    const definition = mailQueue();
    const aborted: string[] = [];
    const workerA = await first.worker(definition, {
      handlers: {
        welcome: async (_payload, { signal }) => {
          // A handler that only stops when told to.
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          aborted.push(String(signal.reason));
          throw signal.reason;
        },
        digest: noop,
        flaky: noop,
      },
    });
    const producer = first.producer(definition);
    const { id } = await producer.enqueue('welcome', { to: 'a@example.com', userId: 'u' });
    const inspect = first.inspect(definition);
    await waitFor(async () => (await inspect.getJobState(id)) === 'active', { what: 'the job to start' });

    const result = await workerA.close({ timeoutMs: 200 });

    expect(result).toEqual({ timedOut: true, abandoned: 1 });
    await waitFor(() => aborted.length === 1, { what: 'the handler to see the abort' });
    expect(await inspect.getJobState(id)).toBe('active'); // still locked until its lock expires
    expect(
      await metricValue(first.registry, 'queue_jobs_failed_total', { queue: 'mail', job_name: 'welcome' }),
    ).toBe(0);

    // Another worker (same keys) takes the job over once the lock is gone.
    const second = redis.setup(first.prefix);
    const done: string[] = [];
    await second.worker(definition, {
      handlers: {
        welcome: (_payload, context) => void done.push(`${context.id}:${context.attempt}`),
        digest: noop,
        flaky: noop,
      },
    });
    await waitFor(() => done.length === 1, { what: 'the takeover', timeoutMs: 15_000 });
    expect(done).toEqual([`${id}:1`]);
    await waitFor(async () => (await inspect.getJobState(id)) === 'completed', { what: 'completed' });
    expect(
      await metricValue(second.registry, 'queue_jobs_stalled_total', { queue: 'mail', job_name: 'welcome' }),
    ).toBe(1);
    const job = await inspect.getJob(id);
    // Two starts, one stall, and the only attempt counted is the one that completed.
    expect(job).toMatchObject({ attemptsMade: 1, attemptsStarted: 2, stalledCounter: 1 });
    expect(await producer.deadLetters.count()).toBe(0);
  });

  itOnStandalone(
    'closes a worker that never finished starting because Redis is down, and takes no job',
    async () => {
      const setup = redis.setup();
      const definition = mailQueue();
      await redis.server.stop();
      let started: Promise<void> | undefined;
      try {
        const worker = new QueueWorker(setup.deps, definition, {
          handlers: { welcome: noop, digest: noop, flaky: noop },
        });
        started = worker.start();
        started.catch(() => undefined);
        const result = await worker.close({ timeoutMs: 500 });
        expect(result).toEqual({ timedOut: false, abandoned: 0 });
        await expect(started).rejects.toThrow();
        expect(worker.isRunning()).toBe(false);
        expect(setup.log.text()).toContain('closing a queue worker that never finished starting');
      } finally {
        await redis.server.restart();
      }
    },
  );
});
