import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readmeExample, runExample, useRedisServer } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RateLimiter, fixedWindow } from '../src/index.js';

const redis = useRedisServer();
const EXAMPLE = new URL('../examples/quick-start.ts', import.meta.url);

describe('the README quick start', () => {
  it('is the example file, verbatim', async () => {
    const readme = fileURLToPath(new URL('../README.md', import.meta.url));
    expect(await readmeExample(readme, 'examples/quick-start.ts')).toBe(await readFile(EXAMPLE, 'utf8'));
  });

  it('runs against a real redis-server with only `{ redis }`: the third attempt is refused', async () => {
    const printed = await runExample(EXAMPLE, `redis://${redis.server.host}:${redis.server.port}`);
    expect(printed).toEqual(['1 true 1', '2 true 0', '3 false 0']);
    expect(await redis.admin.keys('rnh:ratelimit:login:*')).toHaveLength(1);
  });
});

describe('dependencies', () => {
  it('with a registry, its metrics appear there', async () => {
    const client = new Redis({ host: redis.server.host, port: redis.server.port });
    redis.cleanup.push(() => client.quit().then(() => undefined));
    const registry = new Registry();
    const limiter = new RateLimiter(
      { redis: client, keys: 'metrics-test:', registry },
      { name: 'api', policies: fixedWindow({ limit: 5, windowMs: 60_000 }) },
    );
    expect((await limiter.limit('k')).allowed).toBe(true);
    expect(await registry.metrics()).toMatch(
      /ratelimit_decisions_total\{policy="api",outcome="allowed",reason="allowed"\} 1/,
    );
    expect(await redis.admin.keys('metrics-test:api:*')).toHaveLength(1);
  });
});
