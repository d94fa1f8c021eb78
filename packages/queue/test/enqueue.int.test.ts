import { itOnStandalone, masterClients, metricValue, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { QueueUnavailableError, QueueValidationError, type JobContext } from '../src/index.js';
import { keysUnder, useQueueRedis } from './helpers.js';
import { EMAIL_MESSAGE, mailQueue } from './jobs.js';

const redis = useQueueRedis();

const noop = async () => undefined;

describe('enqueue', () => {
  it('adds a job that a worker processes with the parsed payload and its context', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const seen: Array<{ payload: unknown; context: JobContext }> = [];
    await setup.worker(definition, {
      handlers: {
        welcome: (payload, context) => {
          seen.push({ payload, context });
        },
        digest: noop,
        flaky: noop,
      },
    });
    const producer = setup.producer(definition);

    const result = await producer.enqueue('welcome', { to: 'ada@example.com', userId: 'u1' });

    expect(result.deduplicated).toBe(false);
    await waitFor(() => seen.length === 1, { what: 'the job to be processed' });
    // The handler gets the schema's output (the default filled in).
    expect(seen[0]!.payload).toEqual({ to: 'ada@example.com', userId: 'u1', locale: 'en' });
    expect(seen[0]!.context).toMatchObject({
      queue: 'mail',
      name: 'welcome',
      id: result.id,
      attempt: 1,
      maxAttempts: 3,
      scheduleId: undefined,
    });
    expect(seen[0]!.context.signal.aborted).toBe(false);
    const job = await setup.inspect(definition).getJob(result.id);
    await waitFor(async () => (await job?.getState()) === 'completed', { what: 'completed state' });
  });

  it('rejects an invalid payload with the schema message and writes nothing to Redis', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const producer = setup.producer(definition);
    await producer.enqueue('welcome', { to: 'ada@example.com', userId: 'u1' }); // the queue exists
    const before = await keysUnder(redis.admin, setup.prefix);
    const streamBefore = await redis.admin.xlen(`${setup.prefix}queue:{mail}:mail:events`);

    const error = await producer
      .enqueue('welcome', { to: 'not-an-address', userId: 'u2' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(QueueValidationError);
    const validation = error as QueueValidationError;
    expect(validation.code).toBe('QUEUE_INVALID_PAYLOAD');
    expect(validation.jobName).toBe('welcome');
    expect(validation.message).toContain(EMAIL_MESSAGE);
    expect(validation.issues).toEqual([{ path: 'to', message: EMAIL_MESSAGE }]);
    // The message names the problem, never the value.
    expect(validation.message).not.toContain('not-an-address');
    expect(await keysUnder(redis.admin, setup.prefix)).toEqual(before);
    expect(await redis.admin.xlen(`${setup.prefix}queue:{mail}:mail:events`)).toBe(streamBefore);
    expect((await producer.counts()).waiting).toBe(1);
  });

  it('adds one job per idempotency key and answers the first job id to a repeat', async () => {
    const setup = redis.setup();
    const producer = setup.producer(mailQueue());

    const first = await producer.enqueue(
      'digest',
      { day: '2024-05-01' },
      { idempotencyKey: 'digest:2024-05-01' },
    );
    const again = await producer.enqueue(
      'digest',
      { day: '2024-05-01' },
      { idempotencyKey: 'digest:2024-05-01' },
    );
    const other = await producer.enqueue(
      'digest',
      { day: '2024-05-02' },
      { idempotencyKey: 'digest:2024-05-02' },
    );

    expect(again).toEqual({ id: first.id, deduplicated: true });
    expect(other.deduplicated).toBe(false);
    expect(other.id).not.toBe(first.id);
    expect((await producer.counts()).waiting).toBe(2);
    // Only a hash of the key is stored.
    expect((await keysUnder(redis.admin, setup.prefix)).join('\n')).not.toContain('2024-05-01');
  });

  it('keeps every key of a queue under one hash tag and the app prefix', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const producer = setup.producer(definition);
    await producer.enqueue('welcome', { to: 'ada@example.com', userId: 'u1' });
    await producer.enqueue('digest', { day: 'd' }, { delayMs: 60_000 });

    const keys = await keysUnder(redis.admin, setup.prefix);
    expect(keys.length).toBeGreaterThan(3);
    for (const key of keys) expect(key.startsWith(`${setup.prefix}queue:{mail}:mail:`)).toBe(true);
  });

  itOnStandalone('fails fast with QueueUnavailableError while Redis is down, then works again', async () => {
    const setup = redis.setup();
    const producer = setup.producer(mailQueue());
    await producer.enqueue('digest', { day: 'before' });

    await redis.server.stop();
    try {
      // Rejected while Redis is still down: not parked in an offline queue until it returns.
      const error = await producer.enqueue('digest', { day: 'during' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(QueueUnavailableError);
      expect((error as QueueUnavailableError).code).toBe('QUEUE_UNAVAILABLE');
    } finally {
      await redis.server.restart();
    }
    await waitFor(() => setup.connections.shared('producer').status === 'ready', { what: 'reconnect' });
    const after = await producer.enqueue('digest', { day: 'after' });
    // The test server keeps no data across a restart: the job added after it is the one there.
    expect((await producer.counts()).waiting).toBe(1);
    expect(await setup.inspect(mailQueue()).getJobState(after.id)).toBe('waiting');
  });

  it('gives up with QueueUnavailableError when Redis does not answer within the enqueue timeout', async () => {
    const setup = redis.setup();
    // Two seconds: the enqueue before the pause must not time out on a busy machine.
    const producer = setup.producer(mailQueue(), { operationTimeoutMs: 2000 });
    await producer.enqueue('digest', { day: 'before' });
    const metric = async () =>
      (await setup.registry.getSingleMetric('queue_jobs_enqueued_total')!.get()).values.find(
        (sample) => sample.labels.job_name === 'digest',
      )?.value;
    const enqueuedBefore = await metric();

    // Connected but silent for writes (BullMQ's scripts among them) until unpaused: every master,
    // so on a cluster the one that holds the queue's slot too.
    const masters = masterClients(redis);
    await Promise.all(masters.map((master) => master.call('CLIENT', 'PAUSE', '30000', 'WRITE')));
    try {
      const error = await producer.enqueue('digest', { day: 'during' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(QueueUnavailableError);
      expect((error as Error).message).toMatch(/timed out after 2000 ms/);
    } finally {
      await Promise.all(masters.map((master) => master.call('CLIENT', 'UNPAUSE')));
    }
    // Not counted as enqueued; the producer works again once Redis answers.
    expect(await metric()).toBe(enqueuedBefore);
    await producer.enqueue('digest', { day: 'after' });
    expect(await metric()).toBe(enqueuedBefore! + 1);
  });

  it('opens no connection until first used', async () => {
    const setup = redis.setup();
    setup.producer(mailQueue());
    await setup.registry.metrics();
    expect(setup.connections.list()).toHaveLength(0);
  });

  it('asked for depth metrics, reports its queue once scraped, before it enqueues anything', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    // Another app's producer adds the job; this one (an app that samples the backlog) never enqueued.
    await redis
      .setup(setup.prefix)
      .producer(definition)
      .enqueue('welcome', { to: 'a@example.com', userId: '1' });
    setup.producer(definition, { depthMetrics: true, depthCacheMs: 0 });
    // The first scrape opens the connection (a sample never waits for one); a later one reads.
    const waiting = () =>
      metricValue(setup.registry, 'queue_jobs', { queue: definition.name, state: 'waiting' });
    await waitFor(async () => (await waiting()) === 1, {
      timeoutMs: 20_000,
      intervalMs: 100,
      what: 'queue_jobs waiting 1',
    });
  });
});
