import type { SessionData } from 'express-session';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  createSessionMetrics,
  RedisSessionStore,
  SessionIndex,
  SessionsArgumentError,
  type RedisSessionStoreOptions,
} from '../src/index.js';
import { Browser, connectionsFor, memoryLogger, metricValue, sleep, startApp, useRedis } from './helpers.js';

const testRedis = useRedis();

async function setup(storeOptions: RedisSessionStoreOptions = {}) {
  const { logger } = memoryLogger();
  const connections = connectionsFor(testRedis.target, logger);
  const redis = connections.shared('commands');
  const registry = new Registry();
  const metrics = createSessionMetrics(registry);
  const sessionKeys = connections.keys.child('sess');
  const indexKeys = connections.keys.child('user-sessions');
  const index = new SessionIndex({ redis, keys: indexKeys, registry, logger }, { sessionKeys });
  const store = new RedisSessionStore({ redis, keys: sessionKeys, logger, registry, index }, storeOptions);
  const app = await startApp(store);
  testRedis.cleanup.push(
    () => connections.close(),
    () => app.close(),
  );
  return { app, index, store, registry, sessionKeys, indexKeys, redis, logger, metrics };
}

const authed = async (browser: Browser) => (await browser.me()).body.userId;

describe('SessionIndex: one user on several devices', () => {
  it('lists sessions with device metadata newest first, revokes others, then all', async () => {
    // Activity recorded on every request, so that requests milliseconds apart order the list.
    const { app, index, registry, indexKeys } = await setup({ lastSeenIntervalSeconds: 0 });
    const laptop = new Browser(app.url, 'Laptop/1.0');
    const phone = new Browser(app.url, 'Phone/2.0');
    const tablet = new Browser(app.url, 'Tablet/3.0');
    const sids: Record<string, string> = {};
    for (const [name, browser] of [
      ['laptop', laptop],
      ['phone', phone],
      ['tablet', tablet],
    ] as const) {
      sids[name] = String((await browser.login('alice')).body.sid);
      await sleep(15);
    }
    // A request from the laptop touches its session: it becomes the most recently seen.
    await laptop.me();

    const listed = await index.list('alice', sids.laptop);
    expect(listed.map((entry) => entry.device.userAgent)).toEqual(['Laptop/1.0', 'Tablet/3.0', 'Phone/2.0']);
    expect(listed.map((entry) => entry.current)).toEqual([true, false, false]);
    for (const entry of listed) {
      expect(entry.device).toMatchObject({ ipPrefix: '127.0.0.0/24' });
      expect(entry.device.createdAt).toBeGreaterThan(Date.now() - 60_000);
      expect(entry.device.lastSeenAt).toBeGreaterThanOrEqual(entry.device.createdAt);
    }
    expect((await index.list('alice')).every((entry) => entry.current === undefined)).toBe(true);

    // Sign out the other devices.
    expect(await index.revokeOthers('alice', sids.laptop as string)).toBe(2);
    expect((await index.list('alice')).map((entry) => entry.sessionId)).toEqual([sids.laptop]);
    expect(await authed(laptop)).toBe('alice');
    expect(await authed(phone)).toBeNull();
    expect(await authed(tablet)).toBeNull();

    // Password change: everything goes.
    const phoneAgain = String((await phone.login('alice')).body.sid);
    expect(await index.revokeAll('alice')).toBe(2);
    expect(await index.list('alice')).toEqual([]);
    expect(await authed(laptop)).toBeNull();
    expect(await authed(phone)).toBeNull();
    expect(await testRedis.admin.hlen(indexKeys.key('{alice}'))).toBe(0);
    expect(phoneAgain).not.toBe(sids.phone);

    // A new login after the revocation works.
    await tablet.login('alice');
    expect(await authed(tablet)).toBe('alice');
    expect(await index.list('alice')).toHaveLength(1);

    expect(await metricValue(registry, 'sessions_revoked_total', { scope: 'others' })).toBe(2);
    expect(await metricValue(registry, 'sessions_revoked_total', { scope: 'all' })).toBe(2);
    expect(await metricValue(registry, 'sessions_revoked_total', { scope: 'one' })).toBe(0);
  });

  it('revoke() only revokes a session of that user; a deleted session key disappears from list and its entry is cleaned', async () => {
    const { app, index, sessionKeys, indexKeys, registry } = await setup();
    const mine = new Browser(app.url, 'Mine');
    const other = new Browser(app.url, 'Other');
    const spare = new Browser(app.url, 'Spare');
    const mineSid = String((await mine.login('bob')).body.sid);
    const otherSid = String((await other.login('carol')).body.sid);
    const spareSid = String((await spare.login('bob')).body.sid);

    expect(await index.revoke('bob', otherSid)).toBe(false); // carol's session
    expect(await authed(other)).toBe('carol');
    expect(await index.revoke('bob', 'no-such-session')).toBe(false);

    expect(await index.revoke('bob', mineSid)).toBe(true);
    expect(await authed(mine)).toBeNull();
    expect(await metricValue(registry, 'sessions_revoked_total', { scope: 'one' })).toBe(1);

    // Deleted behind the index's back (expiry, eviction, an operator): list drops it and cleans the entry.
    expect(await testRedis.admin.hexists(indexKeys.key('{bob}'), spareSid)).toBe(1);
    await testRedis.admin.del(sessionKeys.key(`{${spareSid}}`));
    expect(await index.list('bob')).toEqual([]);
    expect(await testRedis.admin.hexists(indexKeys.key('{bob}'), spareSid)).toBe(0);

    await expect(index.list('{bad}')).rejects.toBeInstanceOf(SessionsArgumentError);
  });

  it('a revoked session written back after its tombstone expired still does not load, nor re-enter the index', async () => {
    const { index, store, sessionKeys } = await setup();
    const data = {
      cookie: { originalMaxAge: 60_000, maxAge: 60_000 },
      userId: 'dave',
      device: { userAgent: 'UA', createdAt: Date.now() },
    } as unknown as SessionData;
    await store.set('dave-1', data);
    expect(await index.revoke('dave', 'dave-1')).toBe(true);

    await testRedis.admin.del(sessionKeys.key('{dave-1}', 'gone')); // the tombstone expired
    await store.set('dave-1', data); // a very late request
    expect(await store.get('dave-1')).toBeNull();
    expect(await index.list('dave')).toEqual([]);
    expect(await testRedis.admin.exists(sessionKeys.key('{dave-1}'))).toBe(0);
  });

  it('revokeAll also covers a session the index never recorded (cutoff on load)', async () => {
    const { index, redis, sessionKeys, logger } = await setup();
    const unindexed = new RedisSessionStore({ redis, keys: sessionKeys, logger }); // no index: nothing recorded
    const indexed = new RedisSessionStore({ redis, keys: sessionKeys, logger, index });
    const data = {
      cookie: { originalMaxAge: 60_000, maxAge: 60_000 },
      userId: 'erin',
    } as unknown as SessionData;
    await unindexed.set('erin-hidden', data);
    expect(await index.list('erin')).toEqual([]);

    expect(await index.revokeAll('erin')).toBe(0);
    expect(await indexed.get('erin-hidden')).toBeNull();

    // Created after the revocation: fine.
    await indexed.set('erin-new', data);
    expect(await indexed.get('erin-new')).toMatchObject({ userId: 'erin' });
    expect((await index.list('erin')).map((entry) => entry.sessionId)).toEqual(['erin-new']);
  });
});
