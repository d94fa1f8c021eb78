// The same queue on a 3-master Redis Cluster: every key of a queue (BullMQ's and the
// dead-letter store's) carries the queue's hash tag, so its scripts and transactions
// never cross slots.
import { testConnections } from '@rnh/test-connections';
import { memoryLogger, startRedisCluster, waitFor, type RedisClusterHandle } from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueProducer, QueueWorker } from '../src/index.js';
import { FAST_WORKER, metricValue } from './helpers.js';
import { mailQueue } from './jobs.js';

let cluster: RedisClusterHandle;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
}, 60_000);
afterAll(() => cluster?.destroy());

describe('on Redis Cluster', () => {
  it('enqueues, processes, dead-letters, retries and samples depth', async () => {
    const log = memoryLogger();
    const registry = new Registry();
    const connections = testConnections(cluster, { logger: log.logger });
    const deps = { redis: connections, logger: log.logger, registry };
    const definition = mailQueue();
    let broken = true;
    const done: string[] = [];
    const worker = new QueueWorker(deps, definition, {
      ...FAST_WORKER,
      handlers: {
        welcome: ({ userId }) => void done.push(userId),
        digest: async ({ day }) => {
          if (broken) throw new Error('down');
          done.push(day);
        },
        flaky: async () => undefined,
      },
    });
    const producer = new QueueProducer(deps, definition, { depthMetrics: true, depthCacheMs: 0 });
    try {
      await worker.start();
      await producer.enqueue('welcome', { to: 'a@example.com', userId: 'u1' });
      const { id } = await producer.enqueue('digest', { day: 'd1' });
      await waitFor(async () => (await producer.deadLetters.count()) === 1, { what: 'the dead job' });
      expect(done).toEqual(['u1']);

      broken = false;
      await producer.deadLetters.retry(id);
      await waitFor(() => done.length === 2, { what: 'the retried job' });
      expect(done).toEqual(['u1', 'd1']);
      expect(await producer.deadLetters.count()).toBe(0);
      expect(await metricValue(registry, 'queue_jobs', { queue: 'mail', state: 'completed' })).toBe(2);
      expect(log.lines().filter((line) => Number(line.level) >= 50)).toEqual([]);
    } finally {
      await worker.close({ timeoutMs: 2000 });
      await producer.close();
      await connections.close();
    }
  });
});
