import { startRedisServer, waitFor, type RedisServerHandle } from '@rnh/test-utils';
import type { SessionData } from 'express-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OneTimeTokens,
  RedisSessionStore,
  SessionIndex,
  SessionStoreUnavailableError,
} from '../src/index.js';
import { Browser, connectionsFor, memoryLogger, startApp } from './helpers.js';

let server: RedisServerHandle;

beforeAll(async () => {
  // Persistence on, so data written before the stop is there after the restart.
  server = await startRedisServer({ appendOnly: true });
});
afterAll(async () => {
  await server?.destroy();
});

const data = (extra: Record<string, unknown> = {}) =>
  ({ cookie: { originalMaxAge: 60_000, maxAge: 60_000 }, ...extra }) as unknown as SessionData;

/** The error `work` rejects with (undefined when it resolves). */
async function failureOf<T>(work: () => Promise<T>): Promise<{ error: unknown }> {
  const error = await work().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error };
}

describe('when Redis fails, sessions fail closed', () => {
  it('a hung Redis: operations time out with SessionStoreUnavailableError instead of hanging', async () => {
    const log = memoryLogger();
    const connections = connectionsFor(server, log.logger);
    try {
      const deps = {
        redis: connections.shared('commands'),
        keys: connections.keys.child('sess'),
        logger: log.logger,
      };
      // The session is written with a generous timeout (connecting on a busy machine can take
      // seconds); the store under test times out after one second, so the frozen get must fail.
      await connections.connect(30_000);
      await new RedisSessionStore(deps, { operationTimeoutMs: 30_000 }).set(
        'frozen-sid',
        data({ userId: 'u1' }),
      );
      const store = new RedisSessionStore(deps, { operationTimeoutMs: 1000 });
      server.freeze();
      try {
        const { error } = await failureOf(() => store.get('frozen-sid'));
        expect(error).toBeInstanceOf(SessionStoreUnavailableError);
        expect((error as Error).message).toMatch(/sessions\.get timed out after 1000 ms/);
      } finally {
        server.thaw();
      }
      // Once Redis answers again the same session loads.
      await waitFor(async () => (await store.get('frozen-sid').catch(() => null)) !== null, {
        timeoutMs: 5000,
        what: 'session after the pause',
      });
    } finally {
      await connections.close();
    }
  });

  it('Redis stopped: get/set reject within about the timeout, HTTP answers 503, and after a restart the same sid loads', async () => {
    const log = memoryLogger();
    const connections = connectionsFor(server, log.logger);
    const redis = connections.shared('commands');
    const sessionKeys = connections.keys.child('sess');
    // Two seconds: the calls before the stop must not time out on a busy machine; each call
    // after it fails by this timeout (commands wait for the reconnect), so it sets the test's length.
    const operationTimeoutMs = 2000;
    const index = new SessionIndex(
      { redis, keys: connections.keys.child('user-sessions'), logger: log.logger },
      { sessionKeys, operationTimeoutMs },
    );
    const store = new RedisSessionStore(
      { redis, keys: sessionKeys, logger: log.logger, index },
      { operationTimeoutMs },
    );
    const tokens = new OneTimeTokens(
      { redis, keys: connections.keys.child('tokens'), logger: log.logger },
      { ttlSeconds: { invite: 3600 }, operationTimeoutMs },
    );
    const app = await startApp(store);
    try {
      await connections.connect();
      const browser = new Browser(app.url);
      const sid = String((await browser.login('user-1')).body.sid);
      const { token } = await tokens.issue('invite', 'team');

      await server.stop();

      const attempts: Array<() => Promise<unknown>> = [
        () => store.get(sid),
        () => store.set(sid, data({ userId: 'user-1' })),
        () => store.touch(sid, data()),
        () => store.destroy(sid),
      ];
      for (const attempt of attempts) {
        const { error } = await failureOf(attempt);
        expect(error).toBeInstanceOf(SessionStoreUnavailableError);
        expect(error).toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE' });
      }
      // The cause is a sanitized copy: no ioredis `command` (with its keys) to leak into logs.
      const { error } = await failureOf(() => store.get(sid));
      expect(((error as Error).cause as Record<string, unknown> | undefined)?.command).toBeUndefined();
      // The callback form (what express-session uses) gets the same error.
      const viaCallback = await new Promise<unknown>((resolve) => store.get(sid, (err) => resolve(err)));
      expect(viaCallback).toBeInstanceOf(SessionStoreUnavailableError);

      // Through express-session: 503, not a silent logout (which would be 200 with userId null).
      const response = await browser.me();
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ error: { code: 'session_store_unavailable', message: 'try again' } });
      await expect(tokens.consume('invite', token)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      await expect(index.list('user-1')).rejects.toBeInstanceOf(SessionStoreUnavailableError);

      await server.restart();
      await waitFor(async () => (await store.get(sid).catch(() => null)) !== null, {
        timeoutMs: 10_000,
        what: 'the session after the restart',
      });
      expect((await browser.me()).body).toMatchObject({ userId: 'user-1', sid });
      expect(await tokens.consume('invite', token)).toMatchObject({ subject: 'team' });

      expect(log.text()).toContain('session store unavailable');
      expect(log.text()).not.toContain(sid);
    } finally {
      await app.close();
      await connections.close();
    }
  });
});
