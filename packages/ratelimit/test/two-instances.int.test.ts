import express from 'express';
import { describe, expect, it } from 'vitest';
import { fixedWindow, ipKey, rateLimit, slidingWindow, type Policy } from '../src/index.js';
import { awayFromBoundary, listen, uniquePrefix, useTestRedis } from './helpers.js';

const redis = useTestRedis();
const HOUR = 3_600_000;

/** One "instance" of an API: its own Redis connection and limiter, its own HTTP port. */
async function instance(prefix: string, policy: Policy) {
  // Each limiter comes with its own RedisConnections (separate TCP connections).
  const { limiter } = redis.newLimiter(
    { name: 'shared', policies: policy, localDenyCache: false },
    { prefix },
  );
  const app = express();
  app.get('/x', rateLimit(limiter, { key: ipKey() }), (_req, res) => res.json({ ok: true }));
  const server = await listen(app);
  redis.cleanup.push(() => server.close());
  return server.url;
}

describe('two app instances', () => {
  it.each<[string, Policy]>([
    ['fixed window', fixedWindow({ limit: 5, windowMs: HOUR })],
    ['sliding window', slidingWindow({ limit: 5, windowMs: HOUR })],
  ])('share one limit over real HTTP (%s)', async (_name, policy) => {
    await awayFromBoundary(redis.admin, HOUR, 5_000);
    const prefix = uniquePrefix('rl');
    const urls = [await instance(prefix, policy), await instance(prefix, policy)];
    expect(new Set(urls).size).toBe(2);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const res = await fetch(`${urls[i % 2]}/x`);
      await res.text();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);

    // And concurrently: 40 requests spread over a second pair of instances (fresh keys): 5 pass.
    const other = uniquePrefix('rl');
    const more = [await instance(other, policy), await instance(other, policy)];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${more[i % 2]}/x`).then(async (res) => (await res.text(), res.status)),
      ),
    );
    expect(results.filter((status) => status === 200)).toHaveLength(5);
  });
});
