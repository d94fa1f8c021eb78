import { topologyClient, waitFor } from '@rnh/test-utils';
import { Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeadJobNotFoundError, defineQueue, UnrecoverableError } from '../src/index.js';
import { useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis();

const noop = async () => undefined;

describe('dead letters', () => {
  it('moves a job that always throws to the dead-letter store after its attempts, with error and history', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    let calls = 0;
    await setup.worker(definition, {
      handlers: {
        welcome: noop,
        digest: async () => {
          calls += 1;
          throw new TypeError(`smtp refused (call ${calls})`);
        },
        flaky: noop,
      },
    });
    const producer = setup.producer(definition);

    const { id } = await producer.enqueue('digest', { day: '2024-05-01' });

    await waitFor(async () => (await producer.deadLetters.count()) === 1, { what: 'the dead job' });
    expect(calls).toBe(2); // digest: attempts 2
    const dead = await producer.deadLetters.get(id);
    expect(dead).toMatchObject({
      id,
      queue: 'mail',
      name: 'digest',
      payload: { day: '2024-05-01' },
      reason: 'attempts-exhausted',
      error: { name: 'TypeError', message: 'smtp refused (call 2)' },
      attemptsMade: 2,
      attemptsStarted: 2,
      maxAttempts: 2,
    });
    expect(dead!.attempts.map((attempt) => [attempt.attempt, attempt.error])).toEqual([
      [1, { name: 'TypeError', message: 'smtp refused (call 1)' }],
      [2, { name: 'TypeError', message: 'smtp refused (call 2)' }],
    ]);
    for (const attempt of dead!.attempts)
      expect(Date.parse(attempt.failedAt)).toBeGreaterThanOrEqual(Date.parse(attempt.startedAt));
    expect(dead!.stacktrace).toHaveLength(2);
    expect(dead!.stacktrace[1]).toContain('TypeError: smtp refused (call 2)');
    // It left BullMQ's failed set: the store is where it lives now.
    const counts = await producer.counts();
    expect(counts).toMatchObject({ failed: 0, dead: 1, waiting: 0, active: 0 });
    expect(await setup.inspect(definition).getJob(id)).toBeUndefined();
    expect(setup.log.lines().some((line) => line.msg === 'job moved to the dead-letter store')).toBe(true);
  });

  it('retries a dead job on its queue, where it is processed; the dead entry is gone', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    let broken = true;
    const done: string[] = [];
    await setup.worker(definition, {
      handlers: {
        welcome: noop,
        digest: async (payload) => {
          if (broken) throw new Error('downstream is down');
          done.push(payload.day);
        },
        flaky: noop,
      },
    });
    const producer = setup.producer(definition);
    const { id } = await producer.enqueue('digest', { day: 'd1' });
    await waitFor(async () => (await producer.deadLetters.count()) === 1, { what: 'the dead job' });

    broken = false;
    const retried = await producer.deadLetters.retry(id);

    expect(retried.id).not.toBe(id);
    await waitFor(() => done.length === 1, { what: 'the retried job' });
    expect(done).toEqual(['d1']);
    expect(await producer.deadLetters.count()).toBe(0);
    expect(await producer.deadLetters.get(id)).toBeUndefined();
    await expect(producer.deadLetters.retry(id)).rejects.toBeInstanceOf(DeadJobNotFoundError);
  });

  it('lists newest first and purges some, then all dead jobs', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    await setup.worker(definition, {
      handlers: {
        welcome: noop,
        digest: async () => {
          throw new UnrecoverableError('bad day');
        },
        flaky: noop,
      },
    });
    const producer = setup.producer(definition);
    const ids: string[] = [];
    for (const day of ['a', 'b', 'c', 'd']) {
      ids.push((await producer.enqueue('digest', { day })).id);
      await waitFor(async () => (await producer.deadLetters.count()) === ids.length, {
        what: `dead job ${day}`,
      });
    }

    const page = await producer.deadLetters.list({ limit: 3 });
    expect(page.total).toBe(4);
    expect(page.jobs.map((job) => job.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect((await producer.deadLetters.list({ offset: 3 })).jobs.map((job) => job.id)).toEqual([ids[0]]);

    expect(await producer.deadLetters.purge([ids[0]!, ids[1]!])).toBe(2);
    expect((await producer.deadLetters.list()).jobs.map((job) => job.id)).toEqual([ids[3], ids[2]]);
    expect(await producer.deadLetters.purge()).toBe(2);
    expect(await producer.deadLetters.count()).toBe(0);
    expect(
      await redis.admin.exists(
        `${setup.prefix}queue:{mail}:mail:dead`,
        `${setup.prefix}queue:{mail}:mail:dead:entries`,
      ),
    ).toBe(0);
  });

  it('sends a job whose handler throws UnrecoverableError straight to dead', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    let calls = 0;
    await setup.worker(definition, {
      handlers: {
        welcome: noop,
        digest: noop,
        flaky: async () => {
          calls += 1;
          throw new UnrecoverableError('mailbox does not exist');
        },
      },
    });
    const producer = setup.producer(definition);

    const { id } = await producer.enqueue('flaky', { failTimes: 1 });

    await waitFor(async () => (await producer.deadLetters.count()) === 1, { what: 'the dead job' });
    expect(calls).toBe(1); // of 4 attempts
    expect(await producer.deadLetters.get(id)).toMatchObject({
      reason: 'unrecoverable',
      error: { name: 'UnrecoverableError', message: 'mailbox does not exist' },
      attemptsMade: 1,
      maxAttempts: 4,
    });
  });

  it('sends a stored payload the schema no longer accepts straight to dead, with the schema message', async () => {
    const setup = redis.setup();
    const before = defineQueue({ name: 'shape', jobs: { sync: { schema: z.object({ id: z.string() }) } } });
    const after = defineQueue({
      name: 'shape',
      jobs: { sync: { schema: z.object({ id: z.uuid({ error: 'id must be a UUID now' }) }) } },
    });
    const producer = setup.producer(before);
    const { id } = await producer.enqueue('sync', { id: 'legacy-42' });
    let calls = 0;
    await setup.worker(after, {
      handlers: {
        sync: () => {
          calls += 1;
        },
      },
    });

    await waitFor(async () => (await producer.deadLetters.count()) === 1, { what: 'the dead job' });
    expect(calls).toBe(0);
    const dead = await producer.deadLetters.get(id);
    expect(dead?.reason).toBe('unrecoverable');
    expect(dead?.error.message).toContain('id must be a UUID now');
    expect(dead?.payload).toEqual({ id: 'legacy-42' });
  });

  it('keeps at most maxEntries dead jobs, trimming the oldest', async () => {
    const setup = redis.setup();
    const definition = defineQueue({
      name: 'bounded',
      deadLetter: { maxEntries: 2 },
      jobs: { fail: { schema: z.object({ n: z.number() }), attempts: 1 } },
    });
    await setup.worker(definition, {
      handlers: {
        fail: () => {
          throw new Error('no');
        },
      },
    });
    const producer = setup.producer(definition);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      ids.push((await producer.enqueue('fail', { n })).id);
      await waitFor(async () => (await producer.deadLetters.get(ids.at(-1)!)) !== undefined, {
        what: `dead ${n}`,
      });
    }

    const page = await producer.deadLetters.list();
    expect(page.total).toBe(2);
    expect(page.jobs.map((job) => job.id)).toEqual([ids[2], ids[1]]);
    expect(await redis.admin.hlen(`${setup.prefix}queue:{bounded}:bounded:dead:entries`)).toBe(2);
  });

  it('moves a job left in the failed set (e.g. a crash before it was moved) when a worker starts', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const producer = setup.producer(definition);
    const { id } = await producer.enqueue('digest', { day: 'orphan' });
    // A bare BullMQ worker fails the job without moving it, as a worker killed in between would.
    const connection = topologyClient(redis.target, { maxRetriesPerRequest: null });
    const bare = new Worker(
      'mail',
      async () => {
        throw new Error('lost in a crash');
      },
      { connection, prefix: `${setup.prefix}queue:{mail}` },
    );
    const inspect = setup.inspect(definition);
    await waitFor(async () => (await inspect.getJobState(id)) === 'failed', { what: 'the failed job' });
    await bare.close();
    await connection.quit();
    expect(await producer.deadLetters.count()).toBe(0);

    await setup.worker(definition, { handlers: { welcome: noop, digest: noop, flaky: noop } });

    expect(await producer.deadLetters.get(id)).toMatchObject({
      reason: 'attempts-exhausted',
      error: { name: 'Error', message: 'lost in a crash' },
    });
    expect((await producer.counts()).failed).toBe(0);
  });
});
