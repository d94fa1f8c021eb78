// What an operator sees of a worker's Redis connections: BullMQ's own blocking connection is
// counted with the others, and its waits do not pass for Redis latency.
import { testConnections } from '@rnh/test-connections';
import { memoryLogger, metricValue, uniquePrefix, useRedis, waitFor } from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueProducer, QueueWorker } from '../src/index.js';
import { mailQueue } from './jobs.js';

const redis = useRedis();
const noop = async () => undefined;
const closing: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

describe("a worker's connections", () => {
  it('counts the blocking connection BullMQ opens, and leaves its waits out of the command durations', async () => {
    const registry = new Registry();
    const { logger } = memoryLogger();
    const connections = testConnections(redis.target, { keyPrefix: uniquePrefix('queue'), logger, registry });
    closing.push(() => connections.close());
    const deps = { redis: connections, logger, registry };
    const definition = mailQueue();
    const worker = new QueueWorker(deps, definition, {
      handlers: { welcome: noop, digest: noop, flaky: noop },
    });
    closing.push(() => worker.close({ timeoutMs: 2000 }));
    await worker.start();

    const blockingPool = `queue.${definition.name}.blocking`;
    const ready = () =>
      metricValue(registry, 'redis_client_connection_state', { pool: blockingPool, state: 'ready' });
    await waitFor(async () => (await ready()) === 1, {
      timeoutMs: 20_000,
      what: 'the blocking connection ready',
    });

    // A job goes through the blocking connection's wait and is processed.
    const producer = new QueueProducer(deps, definition);
    closing.push(() => producer.close());
    await producer.enqueue('welcome', { to: 'a@example.com', userId: '1' });
    await waitFor(async () => (await producer.counts()).completed === 1, {
      timeoutMs: 20_000,
      what: 'the job done',
    });

    const text = await registry.metrics();
    expect(text).toContain(`db_client_connection_pool_name="queue.${definition.name}"`);
    expect(text).not.toMatch(/db_operation_name="(bzpopmin|bzmpop|brpoplpush|blmove)"/);

    // Closed by BullMQ with the worker: it leaves the pools once it has ended.
    await worker.close({ timeoutMs: 2000 });
    const pools = () => connections.list().map((entry) => entry.pool);
    await waitFor(() => !pools().includes(blockingPool), {
      timeoutMs: 20_000,
      what: 'the blocking connection gone',
    });
    expect(await registry.metrics()).not.toContain(`pool="${blockingPool}"`);
  });
});
