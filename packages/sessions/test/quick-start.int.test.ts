import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  itOnStandalone,
  readmeExample,
  runExample,
  scanKeys,
  topologyClient,
  useRedis,
} from '@rnh/test-utils';
import type { Cluster, Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { OneTimeTokens, RedisSessionStore, RefreshTokens, SessionIndex } from '../src/index.js';
import { Browser, startApp } from './helpers.js';

const redis = useRedis();
const EXAMPLE = new URL('../examples/quick-start.ts', import.meta.url);

/** The user's own ioredis client of the run's topology: a server, a Cluster, or a master found through Sentinel. */
function userClient(): Redis | Cluster {
  const client = topologyClient(redis.target);
  redis.cleanup.push(() => client.quit().then(() => undefined));
  return client;
}

describe('the README quick start', () => {
  it('is the example file, verbatim', async () => {
    const readme = fileURLToPath(new URL('../README.md', import.meta.url));
    expect(await readmeExample(readme, 'examples/quick-start.ts')).toBe(await readFile(EXAMPLE, 'utf8'));
  });

  // The example connects with `new Redis(REDIS_URL)`: one server.
  itOnStandalone(
    'runs against a real redis-server with only `{ redis }`: the token is redeemed once',
    async () => {
      const printed = await runExample(EXAMPLE, redis.server.url);
      expect(printed).toEqual(['{"subject":"user-42","data":{}}', 'sessions stored: 0']);
    },
  );
});

describe('built with only { redis }', () => {
  it('the session store keeps a login across requests of express-session, under rnh:sess:', async () => {
    const store = new RedisSessionStore({ redis: userClient() });
    const app = await startApp(store);
    redis.cleanup.push(() => app.close());
    const browser = new Browser(app.url);
    await browser.login('user-7');
    expect((await browser.me()).body.userId).toBe('user-7');
    expect(await scanKeys(redis.admin, 'rnh:sess:*')).not.toHaveLength(0);
  });

  it('the session index and refresh tokens work on their default keys', async () => {
    const client = userClient();
    const store = new RedisSessionStore({ redis: client, index: new SessionIndex({ redis: client }) });
    await store.set('sid-1', { cookie: { originalMaxAge: 60_000, maxAge: 60_000 }, userId: 'u-1' } as never);
    expect(await new SessionIndex({ redis: client }).list('u-1')).toHaveLength(1);
    const refresh = new RefreshTokens({ redis: client });
    const first = await refresh.issue('u-1');
    expect((await refresh.rotate(first.token)).userId).toBe('u-1');
    expect(await scanKeys(redis.admin, 'rnh:user-sessions:*')).not.toHaveLength(0);
    expect(await scanKeys(redis.admin, 'rnh:refresh:*')).not.toHaveLength(0);
  });
});

describe('dependencies', () => {
  it('with a registry, its metrics appear there', async () => {
    const registry = new Registry();
    const tokens = new OneTimeTokens(
      { redis: userClient(), keys: 'metrics-test:', registry },
      { ttlSeconds: { invite: 60 } },
    );
    await tokens.issue('invite', 'u-1');
    expect(await registry.metrics()).toMatch(/tokens_issued_total\{kind="invite"\} 1/);
    expect(await scanKeys(redis.admin, 'metrics-test:*')).not.toHaveLength(0);
  });
});
