// What one HTTP request through express-session costs in Redis, counted by the servers themselves
// (INFO commandstats, which counts the commands a Lua script runs besides its EVALSHA; summed over
// the masters of a Cluster), with the per-user session index on, as the api runs it.
import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { RedisSessionStore, SessionIndex, type RedisSessionStoreOptions } from '../src/index.js';
import {
  Browser,
  commandCalls,
  connectionsFor,
  memoryLogger,
  sleep,
  startApp,
  TOPOLOGY_BACKGROUND_COMMANDS,
  useRedis,
} from './helpers.js';

const testRedis = useRedis();
const READS = 25;

/**
 * The commands the servers ran while `work` did, without those the topology sends by itself
 * (this counting's INFO, a Cluster client's slot refreshes, a Sentinel's probes); no request
 * here sends any of them.
 */
async function commandsDuring(
  work: () => Promise<void>,
): Promise<{ total: number; by: Record<string, number> }> {
  const before = await commandCalls(testRedis);
  await work();
  const after = await commandCalls(testRedis);
  const by: Record<string, number> = {};
  let total = 0;
  for (const [command, calls] of after) {
    const ran = calls - (before.get(command) ?? 0);
    if (TOPOLOGY_BACKGROUND_COMMANDS.has(command) || ran <= 0) continue;
    by[command] = ran;
    total += ran;
  }
  return { total, by };
}

async function setup(options: RedisSessionStoreOptions = {}, maxAgeMs?: number) {
  const { logger } = memoryLogger();
  const connections = connectionsFor(testRedis.target, logger);
  const redis = connections.shared('commands');
  const sessionKeys = connections.keys.child('sess');
  const indexKeys = connections.keys.child('user-sessions');
  const index = new SessionIndex({ redis, keys: indexKeys, logger }, { sessionKeys });
  const store = new RedisSessionStore({ redis, keys: sessionKeys, logger, index }, options);
  const app = await startApp(store, { maxAgeMs });
  testRedis.cleanup.push(
    () => connections.close(),
    () => app.close(),
  );
  return { app, index, store, indexKeys, sessionKeys };
}

const signedIn = async (browser: Browser) => (await browser.me()).body.userId;

describe('what a request costs in Redis, index on', () => {
  it('a read that changes nothing is at most 2 commands, scripts included, and leaves the index alone', async () => {
    const { app, indexKeys } = await setup();
    const browser = new Browser(app.url);
    const sid = String((await browser.login('alice')).body.sid);
    await browser.me(); // the first read after the login: scripts are loaded, nothing is due
    const entryBefore = await testRedis.admin.hget(indexKeys.key('{alice}'), sid);
    expect(entryBefore).not.toBeNull();

    const reads = await commandsDuring(async () => {
      for (let request = 0; request < READS; request++) expect(await signedIn(browser)).toBe('alice');
    });
    expect(
      reads.total / READS,
      `commands per read: ${JSON.stringify(reads.by)} over ${READS} reads`,
    ).toBeLessThanOrEqual(2);
    expect(await testRedis.admin.hget(indexKeys.key('{alice}'), sid)).toBe(entryBefore);
  });

  it('a burst of reads refreshes the idle TTL once: the rest are one HMGET each', async () => {
    const day = 86_400_000;
    const { app, sessionKeys } = await setup({}, day);
    const browser = new Browser(app.url);
    const sid = String((await browser.login('dora')).body.sid);
    const refreshed = await commandsDuring(async () => {
      await browser.me(); // the first read after a save sets the idle TTL again
    });
    expect(refreshed.by, JSON.stringify(refreshed.by)).toMatchObject({ hmget: 1, pexpire: 1 });

    const burst = await commandsDuring(async () => {
      for (let request = 0; request < READS; request++) expect(await signedIn(browser)).toBe('dora');
    });
    expect(burst.by, JSON.stringify(burst.by)).toEqual({ hmget: READS });
    // Skipping those refreshes never costs more than a minute of a day's idle TTL.
    expect(await testRedis.admin.pttl(sessionKeys.key(`{${sid}}`))).toBeGreaterThan(day - 60_000);
  });

  it('a touch is skipped only while the expiry it would set is the one set already', async () => {
    const { index, sessionKeys } = await setup();
    const { logger } = memoryLogger();
    const redis = testRedis.admin;
    const here = new RedisSessionStore({ redis, keys: sessionKeys, logger, index });
    const elsewhere = new RedisSessionStore({ redis, keys: sessionKeys, logger, index });
    const withMaxAge = (maxAge: number) =>
      ({ cookie: { originalMaxAge: maxAge, maxAge }, userId: 'erin' }) as unknown as SessionData;
    const request = async (store: RedisSessionStore, maxAge: number) => {
      await store.get('erin-1');
      await store.touch('erin-1', withMaxAge(maxAge));
    };
    const refreshes = async (work: () => Promise<void>) => (await commandsDuring(work)).by.pexpire ?? 0;
    const day = 86_400_000;

    await here.set('erin-1', withMaxAge(day));
    expect(await refreshes(() => request(here, day))).toBe(1); // the first touch after a save
    expect(await refreshes(() => request(here, day))).toBe(0); // a moment later: skipped
    // A save with a shorter idle TTL, here or in another process, and the touches follow it.
    await here.set('erin-1', withMaxAge(5000));
    expect(await refreshes(() => request(here, 5000))).toBe(1);
    await request(here, day);
    await elsewhere.set('erin-1', withMaxAge(5000));
    expect(await refreshes(() => request(here, 5000))).toBe(1);
    expect(await testRedis.admin.pttl(sessionKeys.key('{erin-1}'))).toBeLessThanOrEqual(5000);
  });

  it('login, a write and logout keep the index right; a revocation is seen by the very next request', async () => {
    const { app, index } = await setup();
    const laptop = new Browser(app.url, 'Laptop/1.0');
    const phone = new Browser(app.url, 'Phone/2.0');
    const laptopSid = String((await laptop.login('bob')).body.sid);
    const phoneSid = String((await phone.login('bob')).body.sid);
    const listed = async () => (await index.list('bob')).map((entry) => entry.sessionId).sort();
    expect(await listed()).toEqual([laptopSid, phoneSid].sort());
    expect((await index.list('bob')).map((entry) => entry.device.userAgent).sort()).toEqual([
      'Laptop/1.0',
      'Phone/2.0',
    ]);

    // A write to a signed-in session: saved, still listed once.
    expect((await laptop.request('POST', '/slow')).status).toBe(200);
    expect(await listed()).toEqual([laptopSid, phoneSid].sort());

    // Logout: gone from the index, and that cookie no longer signs in.
    const phoneCookie = phone.cookie;
    expect((await phone.request('POST', '/logout')).status).toBe(200);
    expect(await listed()).toEqual([laptopSid]);
    const stale = new Browser(app.url);
    stale.cookie = phoneCookie;
    expect(await signedIn(stale)).toBeNull();

    // Revocations take effect on the next request, however recently the session was read.
    const phoneAgain = String((await phone.login('bob')).body.sid);
    expect(await signedIn(phone)).toBe('bob');
    expect(await index.revokeOthers('bob', laptopSid)).toBe(1);
    expect(await signedIn(phone)).toBeNull();
    expect(await signedIn(laptop)).toBe('bob');
    expect(await listed()).toEqual([laptopSid]);
    expect(await index.revoke('bob', laptopSid)).toBe(true);
    expect(await signedIn(laptop)).toBeNull();
    expect(await listed()).toEqual([]);
    expect(phoneAgain).not.toBe(phoneSid);

    const again = String((await laptop.login('bob')).body.sid);
    expect(await signedIn(laptop)).toBe('bob');
    expect(await index.revokeAll('bob')).toBe(1);
    expect(await signedIn(laptop)).toBeNull();
    expect(again).not.toBe(laptopSid);
  });

  it('last seen stays put between intervals, whatever the number of reads', async () => {
    // An interval no test run reaches: every read here is inside it, on a busy machine too.
    const { app, index } = await setup({ lastSeenIntervalSeconds: 3600 });
    const browser = new Browser(app.url);
    await browser.login('carol');
    const lastSeen = async () => (await index.list('carol'))[0]?.device.lastSeenAt;
    const atLogin = await lastSeen();
    expect(atLogin).toBeGreaterThan(0);
    const reads = await commandsDuring(async () => {
      for (let request = 0; request < 5; request++) await browser.me();
    });
    expect(await lastSeen()).toBe(atLogin);
    expect(reads.total, JSON.stringify(reads.by)).toBeLessThanOrEqual(10);
  });

  it('last seen moves on the first read after the interval has passed, with that read’s one write', async () => {
    const { app, index } = await setup({ lastSeenIntervalSeconds: 1 });
    const browser = new Browser(app.url);
    await browser.login('dana');
    const lastSeen = async () => (await index.list('dana'))[0]?.device.lastSeenAt;
    const atLogin = await lastSeen();
    // Waiting longer than the interval is all this needs: a slower machine only waits longer.
    await sleep(1200);
    const due = await commandsDuring(async () => {
      await browser.me();
    });
    expect(await lastSeen()).toBeGreaterThan(atLogin!);
    expect(due.total, JSON.stringify(due.by)).toBeGreaterThan(2); // the interval's one write
  });
});
