// The real worker process, started the way users start it, checked over HTTP and in Redis.
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import {
  startRedisServer,
  uncatalogedMetrics,
  uniquePrefix,
  type AppProcess,
  type RedisServerHandle,
} from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerProcess } from './support/worker-process.js';

const metricCatalog = fileURLToPath(new URL('../../../docs/metrics.md', import.meta.url));

describe('worker process', () => {
  let redis: RedisServerHandle;
  let client: Redis;
  let worker: AppProcess;
  const prefix = uniquePrefix('worker');

  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.port, '127.0.0.1');
    // The heartbeat key lives three intervals (6 s here): a worker held up by a busy machine
    // for a second or two must not look gone.
    worker = await startWorkerProcess(redis, prefix, { WORKER_HEARTBEAT_MS: '2000' });
  });
  afterAll(async () => {
    await worker?.stop();
    client?.disconnect();
    await redis?.destroy();
  });

  it('answers /health with the Redis status', async () => {
    const res = await fetch(`${worker.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; redis: { status: string } };
    expect(body).toMatchObject({ status: 'ok', redis: { status: 'up' } });
  });

  it('announces itself in Redis with an expiring heartbeat key under its prefix', async () => {
    const [, keys] = await client.scan('0', 'MATCH', `${prefix}workers:*`, 'COUNT', 1000);
    expect(keys).toHaveLength(1);
    const ttl = await client.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(6000);
  });

  it('serves redis-client metrics with live values on /metrics', async () => {
    const text = await (await fetch(`${worker.url}/metrics`)).text();
    expect(text).toMatch(/redis_client_connection_state\{[^}]*pool="commands"[^}]*state="ready"[^}]*\} 1/);
    expect(text).toMatch(/redis_server_up\{[^}]*\} 1/);
    expect(text).toMatch(
      /db_client_operation_duration_seconds_count\{[^}]*db_operation_name="set"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(/process_resident_memory_bytes/);
  });

  it('serves only metrics that docs/metrics.md lists', async () => {
    const text = await (await fetch(`${worker.url}/metrics`)).text();
    expect(uncatalogedMetrics(text, metricCatalog)).toEqual([]);
  });

  it('leaves on SIGTERM: exits 0 and removes its heartbeat', async () => {
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
    const [, keys] = await client.scan('0', 'MATCH', `${prefix}workers:*`, 'COUNT', 1000);
    expect(keys).toEqual([]);
  });
});
