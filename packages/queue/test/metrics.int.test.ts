import { itOnStandalone, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { DEPTH_STATES, UnrecoverableError } from '../src/index.js';
import { metricValue, sleep, useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis();

const noop = async () => undefined;

describe('metrics', () => {
  it('counts enqueued, completed, failed, retried and dead-lettered jobs and times them in seconds', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const { registry } = setup;
    const calls = new Map<string, number>();
    await setup.worker(definition, {
      handlers: {
        welcome: async () => {
          await sleep(20);
        },
        digest: async () => {
          throw new UnrecoverableError('never');
        },
        flaky: async ({ failTimes }, { id }) => {
          const call = (calls.get(id) ?? 0) + 1;
          calls.set(id, call);
          if (call <= failTimes) throw new Error('not yet');
        },
      },
    });
    const producer = setup.producer(definition);
    const value = (name: string, job: string, extra: Record<string, string> = {}) =>
      metricValue(registry, name, { queue: 'mail', job_name: job, ...extra });

    await producer.enqueue('welcome', { to: 'a@example.com', userId: '1' });
    await producer.enqueue('welcome', { to: 'b@example.com', userId: '2' }, { idempotencyKey: 'k' });
    await producer.enqueue('welcome', { to: 'b@example.com', userId: '2' }, { idempotencyKey: 'k' }); // deduplicated
    await producer.enqueue('flaky', { failTimes: 2 });
    await producer.enqueue('digest', { day: 'x' });
    await expect(producer.enqueue('welcome', { to: 'nope', userId: '3' })).rejects.toThrow();

    await waitFor(async () => (await value('queue_jobs_completed_total', 'flaky')) === 1, {
      what: 'flaky completed',
    });
    await waitFor(async () => (await value('queue_jobs_completed_total', 'welcome')) === 2, {
      what: 'welcomes',
    });
    await waitFor(async () => (await value('queue_jobs_dead_lettered_total', 'digest')) === 1, {
      what: 'dead digest',
    });

    expect(await value('queue_jobs_enqueued_total', 'welcome')).toBe(2);
    expect(await value('queue_jobs_enqueued_total', 'flaky')).toBe(1);
    expect(await value('queue_jobs_failed_total', 'flaky')).toBe(2);
    expect(await value('queue_jobs_retried_total', 'flaky')).toBe(2);
    expect(await value('queue_jobs_failed_total', 'digest')).toBe(1);
    expect(await value('queue_jobs_retried_total', 'digest')).toBe(0);
    expect(await value('queue_jobs_failed_total', 'welcome')).toBe(0);
    // One wait observation per job (its first start), one processing observation per attempt.
    expect(await value('queue_job_wait_seconds', 'flaky')).toBe(1);
    expect(await value('queue_job_processing_seconds', 'flaky', { outcome: 'failed' })).toBe(2);
    expect(await value('queue_job_processing_seconds', 'flaky', { outcome: 'completed' })).toBe(1);
    expect(await value('queue_job_end_to_end_seconds', 'welcome')).toBe(2);
    expect(await value('queue_job_end_to_end_seconds', 'digest')).toBe(0);
    // Seconds, not milliseconds: two 20 ms handlers sum to well under a minute.
    const processing = await registry.getSingleMetric('queue_job_processing_seconds')!.get();
    const welcomeSum = processing.values.find(
      (sample) =>
        (sample as { metricName?: string }).metricName === 'queue_job_processing_seconds_sum' &&
        sample.labels.job_name === 'welcome',
    );
    expect(welcomeSum!.value).toBeGreaterThanOrEqual(0.04);
    expect(welcomeSum!.value).toBeLessThan(60);
  });

  it('reports depth by state and the oldest waiting age as BullMQ counts them', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const producer = setup.producer(definition, { depthMetrics: true, depthCacheMs: 0 });
    const inspect = setup.inspect(definition);
    const enqueuedAt = Date.now();
    await producer.enqueue('welcome', { to: 'a@example.com', userId: '1' });
    await producer.enqueue('welcome', { to: 'b@example.com', userId: '2' });
    await producer.enqueue('digest', { day: 'later' }, { delayMs: 60_000 });
    await producer.enqueue('digest', { day: 'urgent' }, { priority: 5 });
    // One completed and one dead job, through a worker that takes one job and stops.
    const seen: string[] = [];
    const worker = await setup.worker(definition, {
      depthMetrics: false,
      handlers: {
        welcome: async (payload) => {
          seen.push(payload.userId);
          if (payload.userId === '2') throw new UnrecoverableError('gone');
        },
        digest: noop,
        flaky: noop,
      },
    });
    await waitFor(async () => (await producer.deadLetters.count()) === 1 && seen.length === 2, {
      what: 'both welcomes',
    });
    await waitFor(async () => (await inspect.getJobCounts()).prioritized === 0, {
      what: 'the prioritized job',
    });
    await worker.close();
    await producer.enqueue('welcome', { to: 'c@example.com', userId: '3' });
    await sleep(30);

    const counts = await inspect.getJobCounts();
    const gauge = async (state: string) =>
      metricValue(setup.registry, 'queue_jobs', { queue: 'mail', state });
    for (const state of DEPTH_STATES.filter((candidate) => candidate !== 'dead'))
      expect([state, await gauge(state)]).toEqual([state, counts[state] ?? 0]);
    expect(await gauge('dead')).toBe(1);
    expect(counts).toMatchObject({ waiting: 1, delayed: 1, completed: 2, failed: 0, active: 0 });

    const age = await metricValue(setup.registry, 'queue_oldest_waiting_job_age_seconds', { queue: 'mail' });
    const [oldest] = await inspect.getJobs(['wait'], 0, 0, true);
    expect(age).toBeGreaterThanOrEqual(0.02);
    expect(age).toBeLessThanOrEqual((Date.now() - oldest!.timestamp) / 1000 + 0.001);
    expect(age).toBeLessThan((Date.now() - enqueuedAt) / 1000 + 0.001);
  });

  it('reads Redis once per cache interval however often it is scraped', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const producer = setup.producer(definition, { depthMetrics: true, depthCacheMs: 60_000 });
    await producer.enqueue('welcome', { to: 'a@example.com', userId: '1' });
    const client = setup.connections.shared('producer');
    const sent: string[] = [];
    const original = client.sendCommand.bind(client);
    client.sendCommand = ((command: { name: string }) => {
      sent.push(command.name);
      return original(command as never);
    }) as typeof client.sendCommand;

    await Promise.all(Array.from({ length: 5 }, () => setup.registry.metrics()));
    const afterBurst = sent.length;
    await setup.registry.metrics();
    await setup.registry.metrics();

    expect(afterBurst).toBeGreaterThan(0);
    expect(sent.length).toBe(afterBurst);
    expect(await metricValue(setup.registry, 'queue_jobs', { queue: 'mail', state: 'waiting' })).toBe(1);
    await producer.enqueue('welcome', { to: 'b@example.com', userId: '2' });
    // Still the cached sample.
    expect(await metricValue(setup.registry, 'queue_jobs', { queue: 'mail', state: 'waiting' })).toBe(1);
  });

  itOnStandalone(
    'leaves a queue out of the scrape when Redis cannot be read, without failing the scrape',
    async () => {
      const setup = redis.setup();
      const producer = setup.producer(mailQueue(), { depthMetrics: true, depthCacheMs: 0 });
      await producer.enqueue('welcome', { to: 'a@example.com', userId: '1' });
      await redis.server.stop();
      try {
        const text = await setup.registry.metrics();
        expect(text).not.toContain('queue_jobs{');
        expect(text).toContain('# TYPE queue_jobs gauge');
      } finally {
        await redis.server.restart();
      }
    },
  );

  itOnStandalone(
    "answers a worker's scrape while Redis is down (its connection would wait for Redis forever)",
    async () => {
      const setup = redis.setup();
      const noop = async () => undefined;
      await setup.worker(mailQueue(), {
        handlers: { welcome: noop, digest: noop, flaky: noop },
        depthCacheMs: 0,
      });
      expect(await setup.registry.metrics()).toContain('queue_jobs{');
      await redis.server.kill();
      try {
        const text = await setup.registry.metrics();
        expect(text).not.toContain('queue_jobs{');
      } finally {
        await redis.server.restart();
      }
    },
  );
});
