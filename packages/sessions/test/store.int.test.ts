import type { RedisConnections } from '@rnh/redis-client';
import type { SessionData } from 'express-session';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import {
  Browser,
  connectionsFor,
  existing,
  memoryLogger,
  metricValue,
  sleep,
  startApp,
  type TestApp,
  useRedis,
} from './helpers.js';

const testRedis = useRedis();

function setup(storeOptions: ConstructorParameters<typeof RedisSessionStore>[1] = {}) {
  const { logger, text: logText } = memoryLogger();
  const connections: RedisConnections = connectionsFor(testRedis.target, logger);
  const registry = new Registry();
  const keys = connections.keys.child('sess');
  const store = new RedisSessionStore(
    { redis: connections.shared('commands'), keys, logger, registry },
    { activeSampleCacheMs: 0, ...storeOptions },
  );
  testRedis.cleanup.push(() => connections.close());
  return { connections, registry, keys, store, logText };
}

async function serve(store: RedisSessionStore, options?: Parameters<typeof startApp>[1]): Promise<TestApp> {
  const app = await startApp(store, options);
  testRedis.cleanup.push(() => app.close());
  return app;
}

function sessionData(maxAgeMs: number, extra: Record<string, unknown> = {}): SessionData {
  return { cookie: { originalMaxAge: maxAgeMs, maxAge: maxAgeMs }, ...extra } as unknown as SessionData;
}

describe('RedisSessionStore with express-session over HTTP', () => {
  it('saves on login, loads on the next request, touches, regenerates and destroys', async () => {
    const { keys, store, registry } = setup();
    const app = await serve(store, { maxAgeMs: 60_000 });
    const browser = new Browser(app.url);

    // Nothing stored for an anonymous request (saveUninitialized: false).
    expect((await browser.me()).body.userId).toBeNull();
    expect(browser.cookie).toBeUndefined();

    const login = await browser.login('user-1');
    expect(login.status).toBe(200);
    expect(browser.cookie).toMatch(/^connect\.sid=s%3A/);
    const sid = String(login.body.sid);
    const key = keys.key(`{${sid}}`);
    expect(await testRedis.admin.hget(key, 'u')).toBe('user-1');
    expect(JSON.parse((await testRedis.admin.hget(key, 'd')) ?? '{}')).toMatchObject({
      userId: 'user-1',
      cookie: { httpOnly: true },
    });
    expect(await testRedis.admin.hget(key, 'c')).toMatch(/^\d{16}$/);

    // Loaded on the next request.
    expect((await browser.me()).body).toEqual({ userId: 'user-1', sid });

    // Unmodified + rolling: express-session calls touch, which resets the TTL (no rewrite).
    await sleep(400);
    const before = await testRedis.admin.pttl(key);
    const createdBefore = await testRedis.admin.hget(key, 'c');
    await browser.me();
    const after = await testRedis.admin.pttl(key);
    expect(before).toBeLessThanOrEqual(59_700);
    expect(after).toBeGreaterThan(before);
    expect(await testRedis.admin.hget(key, 'c')).toBe(createdBefore);

    // Logging in again regenerates: a new sid, and the old one no longer loads.
    const oldCookie = browser.cookie;
    const again = await browser.login('user-1');
    const newSid = String(again.body.sid);
    expect(newSid).not.toBe(sid);
    expect(await testRedis.admin.exists(key)).toBe(0);
    expect(await store.get(sid)).toBeNull();
    const stale = new Browser(app.url);
    stale.cookie = oldCookie;
    expect((await stale.me()).body.userId).toBeNull();
    expect((await browser.me()).body.userId).toBe('user-1');

    // Logout destroys the key.
    expect((await browser.request('POST', '/logout')).status).toBe(200);
    expect(await testRedis.admin.exists(keys.key(`{${newSid}}`))).toBe(0);
    expect((await browser.me()).body.userId).toBeNull();

    expect(await metricValue(registry, 'sessions_created_total')).toBe(2);
    expect(await metricValue(registry, 'sessions_destroyed_total')).toBe(2);
    expect(await metricValue(registry, 'sessions_active')).toBe(0);
  });

  it('length, all, ids and clear use SCAN inside the store prefix only', async () => {
    const { connections, keys, store, registry } = setup();
    for (const sid of ['a1', 'b2', 'c3']) await store.set(sid, sessionData(60_000, { n: sid }));
    await store.destroy('c3'); // leaves a tombstone, which is not a session

    // Neighbours: a sibling keyspace whose name starts like ours, the parent prefix, and a key elsewhere.
    const sibling = `${keys.prefix.slice(0, -1)}x:{a1}`;
    const parent = connections.keys.key('other');
    const outside = 'elsewhere:{a1}';
    await Promise.all([
      testRedis.admin.set(sibling, '1'),
      testRedis.admin.set(parent, '1'),
      testRedis.admin.set(outside, '1'),
    ]);

    expect(await store.length()).toBe(2);
    expect((await store.ids()).sort()).toEqual(['a1', 'b2']);
    const all = await store.all();
    expect(all.map((entry) => (entry as SessionData & { id: string; n: string }).id).sort()).toEqual([
      'a1',
      'b2',
    ]);
    expect(all.map((entry) => (entry as SessionData & { n: string }).n).sort()).toEqual(['a1', 'b2']);
    expect(await metricValue(registry, 'sessions_active')).toBe(2);

    // The callback form is what express-session uses.
    const viaCallback = await new Promise<number | undefined>((resolve, reject) =>
      store.length((error, n) => (error ? reject(error) : resolve(n))),
    );
    expect(viaCallback).toBe(2);

    await store.clear();
    expect(await store.length()).toBe(0);
    expect(await testRedis.admin.exists(keys.key('{c3}', 'gone'))).toBe(0);
    expect(await existing(testRedis.admin, [sibling, parent, outside])).toBe(3);
    await testRedis.admin.del(outside);
  });
});

describe('lifetimes', () => {
  it('caps the TTL at the absolute lifetime from the first save; touch and later saves never extend past it', async () => {
    const { keys, store } = setup({ absoluteTtlSeconds: 1.5 });
    const key = keys.key('{capped}');
    await store.set('capped', sessionData(60_000, { step: 1 }));
    const first = await testRedis.admin.pttl(key);
    expect(first).toBeGreaterThan(1000);
    expect(first).toBeLessThanOrEqual(1500);

    await sleep(600);
    await store.touch('capped', sessionData(60_000));
    const touched = await testRedis.admin.pttl(key);
    expect(touched).toBeLessThanOrEqual(900); // 60 s idle would have been 60000

    await store.set('capped', sessionData(60_000, { step: 2 }));
    expect(await testRedis.admin.pttl(key)).toBeLessThanOrEqual(900);
    expect(await store.get('capped')).toMatchObject({ step: 2 });

    await sleep(1000);
    expect(await store.get('capped')).toBeNull();
  });

  it('uses the idle TTL from the cookie, or the default when the cookie has none', async () => {
    const { keys, store } = setup({ defaultTtlSeconds: 120 });
    await store.set('with-cookie', sessionData(5000));
    await store.set('browser-session', {
      cookie: { originalMaxAge: null, expires: null },
    } as unknown as SessionData);
    expect(await testRedis.admin.pttl(keys.key('{with-cookie}'))).toBeLessThanOrEqual(5000);
    const defaultTtl = await testRedis.admin.pttl(keys.key('{browser-session}'));
    expect(defaultTtl).toBeGreaterThan(110_000);
    expect(defaultTtl).toBeLessThanOrEqual(120_000);

    // An already-expired cookie deletes instead of writing.
    await store.set('with-cookie', {
      cookie: { originalMaxAge: 1000, expires: new Date(Date.now() - 1000) },
    } as unknown as SessionData);
    expect(await testRedis.admin.exists(keys.key('{with-cookie}'))).toBe(0);
  });
});

describe('destroyed sessions stay destroyed', () => {
  it('a set racing a destroy (store API) does not resurrect the session', async () => {
    const { keys, store } = setup();
    await store.set('raced', sessionData(60_000, { userId: 'u' }));
    await store.destroy('raced');
    await store.set('raced', sessionData(60_000, { userId: 'u', late: true }));
    expect(await store.get('raced')).toBeNull();
    expect(await testRedis.admin.exists(keys.key('{raced}'))).toBe(0);
    expect(await testRedis.admin.pttl(keys.key('{raced}', 'gone'))).toBeGreaterThan(0);
  });

  it('a slow request finishing after logout does not log the user back in (HTTP)', async () => {
    const { keys, store, logText } = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const slowEntered = new Promise<void>((resolve) => (entered = resolve));
    const app = await serve(store, {
      slowGate: () => {
        entered();
        return gate;
      },
    });
    const browser = new Browser(app.url);
    const sid = String((await browser.login('user-9')).body.sid);

    const slow = browser.request('POST', '/slow'); // loads the session, then waits
    await slowEntered;
    expect((await browser.request('POST', '/logout')).status).toBe(200);
    release();
    expect((await slow).status).toBe(200); // its save was refused quietly
    expect(logText()).toContain('save of a destroyed session refused');

    expect(await testRedis.admin.exists(keys.key(`{${sid}}`))).toBe(0);
    expect((await browser.me()).body.userId).toBeNull();
  });
});
