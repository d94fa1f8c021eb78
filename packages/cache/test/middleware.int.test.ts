import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { responseCache } from '../src/index.js';
import { useRedisServer } from './helpers.js';

const redis = useRedisServer();

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
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url + path, { headers });
    const text = await response.text();
    return {
      status: response.status,
      cache: response.headers.get('x-cache'),
      etag: response.headers.get('etag'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  };
  return {
    get,
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
