import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@rnh/test-utils';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { responseCache, responseKey } from '../src/index.js';
import { useTestRedis } from './helpers.js';

const redis = useTestRedis();

/** A real Express app; the `sid` cookie stands in for a session (sid -> user). */
async function startApp() {
  const { cache } = redis.newCache();
  const http = cache.namespace('http');
  const sessions: Record<string, string> = { 'sid-a': 'alice', 'sid-b': 'bob' };
  const userOf = (req: { headers: { cookie?: string } }) => {
    const sid = /sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return sid ? sessions[sid] : undefined;
  };
  let hits = 0;
  /** How the /flaky routes fail: not at all, with a 503 answer, or by throwing (Express's error handler answers 500). */
  const flaky: { mode: 'ok' | 'status' | 'throw' } = { mode: 'ok' };
  const app = express();
  app.get('/public', responseCache(http, { ttlSeconds: 60 }), (req, res) => {
    hits += 1;
    res.json({ n: hits, q: req.query });
  });
  app.get('/me', responseCache(http, { ttlSeconds: 60, user: userOf }), (req, res) => {
    res.set('Cache-Control', 'private').json({ user: userOf(req) ?? null, n: ++hits });
  });
  app.get('/cookie', responseCache(http, { ttlSeconds: 60 }), (_req, res) => {
    res.cookie('x', '1').json({ n: ++hits });
  });
  app.get('/nostore', responseCache(http, { ttlSeconds: 60 }), (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ n: ++hits });
  });
  app.get('/missing', responseCache(http, { ttlSeconds: 60 }), (_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'nope' }, n: ++hits });
  });
  // Short TTL, long grace: the stored response soon goes stale and stays replayable. 1 s leaves
  // a busy machine time to read a fresh copy as fresh.
  const flakyOptions = { ttlSeconds: 1, graceSeconds: 60 };
  app.get('/flaky', responseCache(http, flakyOptions), (_req, res) => {
    if (flaky.mode === 'throw') throw new Error('database down');
    if (flaky.mode === 'status')
      return res
        .status(503)
        .cookie('failed', '1')
        .json({ error: { code: 'unavailable', message: 'try later' } });
    res.json({ n: ++hits });
  });
  app.get('/me/flaky', responseCache(http, { ...flakyOptions, user: userOf }), (req, res) => {
    if (flaky.mode !== 'ok')
      return res.status(503).json({ error: { code: 'unavailable', message: 'later' } });
    res.set('Cache-Control', 'private').json({ user: userOf(req) ?? null, n: ++hits });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url + path, { headers });
    const text = await response.text();
    return {
      status: response.status,
      statusText: response.statusText,
      cache: response.headers.get('x-cache'),
      etag: response.headers.get('etag'),
      cookie: response.headers.get('set-cookie'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  };
  /** Resolves once the stored response of `path` (for `scope`) is in the given state. */
  const stored = (path: string, state: 'fresh' | 'stale', scope = 'public') =>
    waitFor(
      async () => {
        const found = await http.getWithState(responseKey(path, scope));
        return found !== undefined && found.stale === (state === 'stale');
      },
      { timeoutMs: 5000, intervalMs: 20, what: `${state} response of ${path}` },
    );
  return {
    get,
    flaky,
    stored,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('responseCache middleware', () => {
  it('caches public GET responses by path and normalized query, with ETag and 304', async () => {
    const app = await startApp();
    try {
      const first = await app.get('/public?b=2&a=1');
      expect(first).toMatchObject({ status: 200, cache: 'MISS', body: { n: 1 } });
      await new Promise((resolve) => setTimeout(resolve, 50)); // the store is asynchronous
      const second = await app.get('/public?a=1&b=2');
      expect(second).toMatchObject({ status: 200, cache: 'HIT', body: { n: 1, q: { a: '1', b: '2' } } });
      expect(second.etag).toBe(first.etag);
      const notModified = await app.get('/public?a=1&b=2', { 'if-none-match': second.etag! });
      expect(notModified).toMatchObject({ status: 304, cache: 'HIT', body: undefined });
      expect((await app.get('/public?a=2')).body).toMatchObject({ n: 2 });
    } finally {
      await app.close();
    }
  });

  it("never serves user A's private response to user B, and skips private routes without a user", async () => {
    const app = await startApp();
    try {
      const alice = await app.get('/me', { cookie: 'sid=sid-a' });
      expect(alice).toMatchObject({ cache: 'MISS', body: { user: 'alice' } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await app.get('/me', { cookie: 'sid=sid-a' })).toMatchObject({
        cache: 'HIT',
        body: { user: 'alice' },
      });
      const bob = await app.get('/me', { cookie: 'sid=sid-b' });
      expect(bob).toMatchObject({ cache: 'MISS', body: { user: 'bob' } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await app.get('/me', { cookie: 'sid=sid-b' })).toMatchObject({
        cache: 'HIT',
        body: { user: 'bob' },
      });
      expect(await app.get('/me')).toMatchObject({ cache: null, body: { user: null } });
    } finally {
      await app.close();
    }
  });

  it('never caches Set-Cookie, no-store or non-2xx responses', async () => {
    const app = await startApp();
    try {
      for (const path of ['/cookie', '/nostore', '/missing']) {
        const first = await app.get(path);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const second = await app.get(path);
        expect(second.cache).toBe('MISS');
        expect(second.body!.n).toBe((first.body!.n as number) + 1);
      }
    } finally {
      await app.close();
    }
  });
});

describe('responseCache stale-if-error', () => {
  it('replays the stale response with X-Cache: STALE when the handler answers 5xx or throws', async () => {
    const app = await startApp();
    try {
      const first = await app.get('/flaky');
      expect(first).toMatchObject({ status: 200, cache: 'MISS', body: { n: 1 } });
      await app.stored('/flaky', 'stale');

      app.flaky.mode = 'status';
      const replayed = await app.get('/flaky');
      expect(replayed).toMatchObject({ status: 200, cache: 'STALE', body: { n: 1 }, etag: first.etag });
      expect(replayed.cookie).toBeNull(); // nothing of the failed answer leaks into the replay

      app.flaky.mode = 'throw'; // next(error): Express's error handler answers 500
      expect(await app.get('/flaky')).toMatchObject({
        status: 200,
        statusText: 'OK',
        cache: 'STALE',
        body: { n: 1 },
      });
      expect(await app.get('/flaky', { 'if-none-match': first.etag! })).toMatchObject({
        status: 304,
        cache: 'STALE',
      });
    } finally {
      await app.close();
    }
  });

  it('a successful answer replaces the stale response (MISS), which is then a HIT', async () => {
    const app = await startApp();
    try {
      expect(await app.get('/flaky')).toMatchObject({ cache: 'MISS', body: { n: 1 } });
      await app.stored('/flaky', 'stale');
      expect(await app.get('/flaky')).toMatchObject({ status: 200, cache: 'MISS', body: { n: 2 } });
      await app.stored('/flaky', 'fresh');
      expect(await app.get('/flaky')).toMatchObject({ status: 200, cache: 'HIT', body: { n: 2 } });
      // Without a stored response a failure is answered as it is.
      app.flaky.mode = 'status';
      expect(await app.get('/flaky?other=1')).toMatchObject({ status: 503, cache: 'MISS' });
    } finally {
      await app.close();
    }
  });

  it("never replays user A's stale private response to user B", async () => {
    const app = await startApp();
    try {
      expect(await app.get('/me/flaky', { cookie: 'sid=sid-a' })).toMatchObject({
        cache: 'MISS',
        body: { user: 'alice' },
      });
      await app.stored('/me/flaky', 'stale', 'user:alice');
      app.flaky.mode = 'status';
      expect(await app.get('/me/flaky', { cookie: 'sid=sid-b' })).toMatchObject({
        status: 503,
        cache: 'MISS',
      });
      expect(await app.get('/me/flaky', { cookie: 'sid=sid-a' })).toMatchObject({
        status: 200,
        cache: 'STALE',
        body: { user: 'alice' },
      });
    } finally {
      await app.close();
    }
  });
});
