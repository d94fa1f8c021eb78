import { waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { QueueArgumentError, QueueValidationError } from '../src/index.js';
import { keysUnder, metricValue, useQueueRedis } from './helpers.js';
import { EMAIL_MESSAGE, mailQueue } from './jobs.js';

const redis = useQueueRedis();

const noop = async () => undefined;
const enqueued = (registry: Parameters<typeof metricValue>[0], job: string) =>
  metricValue(registry, 'queue_jobs_enqueued_total', { queue: 'mail', job_name: job });

describe('enqueueBulk', () => {
  it("adds every job in one call, in order, each with its job type's policy and its own options", async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const producer = setup.producer(definition);

    const results = await producer.enqueueBulk([
      { job: 'welcome', payload: { to: 'ada@example.com', userId: 'u1' } },
      { job: 'digest', payload: { day: 'monday' } },
      { job: 'digest', payload: { day: 'later' }, options: { delayMs: 60_000 } },
    ]);

    expect(results.map((result) => result.deduplicated)).toEqual([false, false, false]);
    expect(new Set(results.map((result) => result.id)).size).toBe(3);
    const bull = setup.inspect(definition);
    const jobs = await Promise.all(results.map((result) => bull.getJob(result.id)));
    expect(jobs.map((job) => job?.name)).toEqual(['welcome', 'digest', 'digest']);
    // The schema's output is stored (the default filled in); each type keeps its own attempts.
    expect(jobs[0]!.data).toEqual({ to: 'ada@example.com', userId: 'u1', locale: 'en' });
    expect(jobs.map((job) => job?.opts.attempts)).toEqual([3, 2, 2]);
    expect(await Promise.all(jobs.map((job) => job!.getState()))).toEqual(['waiting', 'waiting', 'delayed']);
    expect(await enqueued(setup.registry, 'welcome')).toBe(1);
    expect(await enqueued(setup.registry, 'digest')).toBe(2);
  });

  it('jobs added in bulk are processed like any other', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const seen: string[] = [];
    await setup.worker(definition, {
      handlers: {
        welcome: ({ userId }) => {
          seen.push(userId);
        },
        digest: noop,
        flaky: noop,
      },
    });
    const producer = setup.producer(definition);

    await producer.enqueueBulk(
      ['u1', 'u2', 'u3'].map((userId) => ({
        job: 'welcome' as const,
        payload: { to: `${userId}@example.com`, userId },
      })),
    );

    await waitFor(() => seen.length === 3, { what: 'the three jobs to be processed' });
    expect(seen.sort()).toEqual(['u1', 'u2', 'u3']);
  });

  it('rejects the whole call when one payload is invalid, and writes nothing to Redis', async () => {
    const setup = redis.setup();
    const producer = setup.producer(mailQueue());
    await producer.enqueue('digest', { day: 'first' }); // the queue exists
    const before = await keysUnder(redis.admin, setup.prefix);

    const error = await producer
      .enqueueBulk([
        { job: 'digest', payload: { day: 'fine' } },
        { job: 'welcome', payload: { to: 'not-an-address', userId: 'u2' } },
      ])
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(QueueValidationError);
    expect((error as QueueValidationError).message).toContain(EMAIL_MESSAGE);
    expect(await keysUnder(redis.admin, setup.prefix)).toEqual(before);
    expect((await producer.counts()).waiting).toBe(1);
    expect(await enqueued(setup.registry, 'digest')).toBe(1);
  });

  it('refuses a job type the queue does not declare, before anything is written', async () => {
    const setup = redis.setup();
    const producer = setup.producer(mailQueue());
    await producer.connect();

    const error = await producer
      .enqueueBulk([
        { job: 'digest', payload: { day: 'fine' } },
        // A caller without the types: what a JavaScript user or a bad cast can send.
        { job: 'nope' as 'digest', payload: { day: 'x' } },
      ])
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(QueueArgumentError);
    expect((await producer.counts()).waiting).toBe(0);
  });

  it('with idempotency keys, a repeated batch adds only the new jobs and answers the first ids', async () => {
    const setup = redis.setup();
    const producer = setup.producer(mailQueue());
    const digest = (day: string) => ({
      job: 'digest' as const,
      payload: { day },
      options: { idempotencyKey: `digest:${day}` },
    });

    const first = await producer.enqueueBulk([digest('mon'), digest('tue')]);
    const again = await producer.enqueueBulk([digest('mon'), digest('wed')]);

    expect(again[0]).toEqual({ id: first[0]!.id, deduplicated: true });
    expect(again[1]!.deduplicated).toBe(false);
    expect(new Set([...first, ...again].map((result) => result.id)).size).toBe(3);
    expect((await producer.counts()).waiting).toBe(3);
    expect(await enqueued(setup.registry, 'digest')).toBe(3);
  });

  it('answers an empty batch with no results', async () => {
    const setup = redis.setup();
    const producer = setup.producer(mailQueue());
    expect(await producer.enqueueBulk([])).toEqual([]);
    // Nothing was sent: the producer's connection was not even opened.
    expect(setup.connections.list()).toHaveLength(0);
  });
});
