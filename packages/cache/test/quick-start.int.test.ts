import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { readmeExample, runExample, useRedisServer } from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { Cache } from '../src/index.js';

const redis = useRedisServer();
const EXAMPLE = new URL('../examples/quick-start.ts', import.meta.url);

describe('the README quick start', () => {
  it('is the example file, verbatim', async () => {
    const shown = await readmeExample(
      fileURLToPath(new URL('../README.md', import.meta.url)),
      'examples/quick-start.ts',
    );
    expect(shown).toBe(await readFile(EXAMPLE, 'utf8'));
  });

  it('runs against a real redis-server with only `{ redis }`', async () => {
    const printed = await runExample(EXAMPLE, `redis://${redis.server.host}:${redis.server.port}`);
    expect(printed).toEqual(['Ada {"id":42,"name":"Ada"}']);
    expect(await redis.admin.exists('rnh:cache:default:user:42')).toBe(1);
  });
});

describe('dependencies', () => {
  it('with a registry, its metrics appear there', async () => {
    const client = new Redis({ host: redis.server.host, port: redis.server.port });
    redis.cleanup.push(() => client.quit().then(() => undefined));
    const registry = new Registry();
    const cache = new Cache({ redis: client, keys: 'metrics-test:', registry });
    await cache.getOrSet('k', () => 1);
    const text = await registry.metrics();
    expect(text).toMatch(/cache_lookups_total\{cache="default",layer="l2",result="miss"\} 1/);
    expect(await redis.admin.exists('metrics-test:default:k')).toBe(1);
  });
});
