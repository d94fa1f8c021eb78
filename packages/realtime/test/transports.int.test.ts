import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import {
  metricValue,
  openSse,
  openStalledWebSocket,
  openWebSocket,
  useRedis,
  waitFor,
} from '@rnh/test-utils';
import express from 'express';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { attachWebSocket, type Authenticate, sseHandler } from '../src/index.js';
import { type Instance, instance, testKeys } from './helpers.js';

const redis = useRedis();
const WAIT = { timeoutMs: 20_000 };
/** Megabytes through one process's sockets on a busy machine. */
const SLOW_WAIT = { timeoutMs: 60_000, intervalMs: 5 };

/** `Authorization: Bearer <user id>` stands for the app's own check (a session cookie or a token). */
const authenticate: Authenticate = (request: IncomingMessage) => {
  const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  return token ? { userId: token, orgIds: ['org-1'] } : null;
};
const as = (user: string) => ({ authorization: `Bearer ${user}` });

/** An Express app serving `GET /events` (SSE) and `/ws` (WebSocket) for one instance. */
async function serve(
  app: Instance,
  options: { maxBufferedBytes?: number } = {},
): Promise<{ server: Server; url: string; ws: string }> {
  const web = express();
  web.get('/events', sseHandler(app.hub, { authenticate, registry: app.registry, ...options }));
  const server = createServer(web);
  const endpoint = attachWebSocket(server, app.hub, { authenticate, registry: app.registry, ...options });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  redis.cleanup.push(async () => {
    await endpoint.close();
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, ws: url.replace('http', 'ws') + '/ws' };
}

/** A request written by hand on a TCP socket, to see the bytes of the answer as they come. */
async function rawRequest(
  url: string,
  path: string,
  version: 'HTTP/1.0' | 'HTTP/1.1',
  headers: Record<string, string>,
): Promise<{ text(): string; close(): void }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let received = '';
  socket.setEncoding('utf8').on('data', (text: string) => (received += text));
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.write(`GET ${path} ${version}\r\nHost: ${hostname}\r\n${lines.join('')}\r\n`);
  return { text: () => received, close: () => socket.destroy() };
}

/** The chunks of a chunked body, each as sent (the size line checked against its bytes). */
function dechunk(body: string): string[] {
  const chunks: string[] = [];
  let rest = Buffer.from(body);
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd < 0) return chunks;
    const size = Number.parseInt(rest.subarray(0, lineEnd).toString(), 16);
    const chunk = rest.subarray(lineEnd + 2, lineEnd + 2 + size);
    if (chunk.length < size) return chunks;
    expect(rest.subarray(lineEnd + 2 + size, lineEnd + 4 + size).toString()).toBe('\r\n');
    chunks.push(chunk.toString());
    rest = rest.subarray(lineEnd + 4 + size);
  }
}

describe('server-sent events', () => {
  it('refuses an unauthenticated request with 401 JSON, and a malformed Last-Event-ID with 400', async () => {
    const app = instance(redis, testKeys());
    const { url } = await serve(app);
    const anonymous = await fetch(`${url}/events`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      error: { code: 'unauthenticated', message: expect.any(String) },
    });
    const forged = await fetch(`${url}/events`, { headers: { ...as('ada'), 'last-event-id': '$ OR 1' } });
    expect(forged.status).toBe(400);
    expect(
      await metricValue(app.registry, 'realtime_connections_rejected_total', {
        transport: 'sse',
        reason: 'unauthenticated',
      }),
    ).toBe(1);
  });

  it('streams live events, and a client that reconnects with Last-Event-ID gets exactly what it missed, in order', async () => {
    const app = instance(redis, testKeys());
    const { url } = await serve(app);
    const first = await openSse(`${url}/events`, as('ada'));
    expect(first.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await waitFor(() => first.frames.some((frame) => frame.event === 'ready'), WAIT);
    await app.feed.publish('ada', 'notification', { text: 'a' });
    await waitFor(() => first.texts().length === 1, WAIT);
    first.close();
    await waitFor(() => app.hub.size === 0, WAIT);

    for (const text of ['b', 'c', 'd']) await app.feed.publish('ada', 'notification', { text });
    const again = await openSse(`${url}/events`, { ...as('ada'), 'last-event-id': first.lastEventId()! });
    await waitFor(() => again.frames.some((frame) => frame.event === 'ready'), WAIT);
    await app.feed.publish('ada', 'notification', { text: 'e' });
    await waitFor(() => again.texts().length === 4, WAIT);
    expect(again.texts()).toEqual(['b', 'c', 'd', 'e']);
    again.close();
  });

  it('frames each event as a valid chunk of an HTTP/1.1 body, and sends a plain body to an HTTP/1.0 client', async () => {
    const app = instance(redis, testKeys());
    const { url } = await serve(app);
    const modern = await rawRequest(url, '/events', 'HTTP/1.1', as('ada'));
    const old = await rawRequest(url, '/events', 'HTTP/1.0', as('bob'));
    await waitFor(() => modern.text().includes('event: ready') && old.text().includes('event: ready'), WAIT);
    await app.feed.publish('ada', 'notification', { text: 'for ada' });
    await app.feed.publish('bob', 'notification', { text: 'for bob' });
    await waitFor(() => modern.text().includes('for ada') && old.text().includes('for bob'), WAIT);

    const [modernHead, modernBody] = modern.text().split('\r\n\r\n', 2) as [string, string];
    expect(modernHead.toLowerCase()).toContain('transfer-encoding: chunked');
    const chunks = dechunk(modernBody);
    const event = chunks.find((chunk) => chunk.includes('for ada'));
    expect(event).toMatch(/^id: \S+\nevent: notification\ndata: \{"data":\{"text":"for ada"\}.*\n\n$/);

    const [oldHead, oldBody] = old.text().split('\r\n\r\n', 2) as [string, string];
    expect(oldHead.toLowerCase()).not.toContain('transfer-encoding');
    expect(oldBody).toMatch(/\n\nid: \S+\nevent: notification\ndata: \{"data":\{"text":"for bob"\}.*\n\n$/);
    modern.close();
    old.close();
  });

  it('refuses a user’s connection past the limit with 429', async () => {
    const app = instance(redis, testKeys(), { presence: { maxConnectionsPerUser: 1 } });
    const { url } = await serve(app);
    const first = await openSse(`${url}/events`, as('ada'));
    await waitFor(() => first.frames.length > 0, WAIT);
    const second = await fetch(`${url}/events`, { headers: as('ada') });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('30');
    first.close();
  });
});

describe('WebSocket', () => {
  it('refuses a cross-site page (Origin) with 403 and an unauthenticated upgrade with 401, before the handshake', async () => {
    const app = instance(redis, testKeys());
    const { ws } = await serve(app);
    const crossSite = await openWebSocket(ws, { headers: { ...as('ada'), origin: 'https://evil.example' } });
    expect(crossSite.refused?.status).toBe(403);
    const anonymous = await openWebSocket(ws);
    expect(anonymous.refused?.status).toBe(401);
    expect(JSON.parse(anonymous.refused!.body!)).toMatchObject({ error: { code: 'unauthenticated' } });
    const sameSite = await openWebSocket(ws, {
      headers: { ...as('ada'), origin: ws.replace('ws://', 'http://').replace('/ws', '') },
    });
    expect(sameSite.refused).toBeUndefined();
    sameSite.close();
  });

  it('delivers live events and resumes from ?lastEventId after a reconnect', async () => {
    const app = instance(redis, testKeys());
    const { ws } = await serve(app);
    const first = await openWebSocket(ws, { headers: as('ada') });
    await waitFor(() => first.messages.some((message) => message.type === 'ready'), WAIT);
    await app.feed.publish('ada', 'notification', { text: 'a' });
    await waitFor(() => first.texts().length === 1, WAIT);
    const cursor = first.messages.find((message) => message.type === 'event')!.id as string;
    first.close();
    await waitFor(() => app.hub.size === 0, WAIT);

    await app.feed.publish('ada', 'notification', { text: 'b' });
    const again = await openWebSocket(`${ws}?lastEventId=${cursor}`, { headers: as('ada') });
    await app.feed.publish('ada', 'notification', { text: 'c' });
    await waitFor(() => again.texts().length === 2, WAIT);
    expect(again.texts()).toEqual(['b', 'c']);
    again.close();
  });

  it('drops a client that does not answer pings', async () => {
    const app = instance(redis, testKeys(), { presence: { ttlMs: 5000 }, heartbeatIntervalMs: 200 });
    const { ws } = await serve(app);
    const silent = await openWebSocket(ws, { headers: as('ada'), autoPong: false });
    await waitFor(() => silent.closeCode !== undefined, WAIT);
    expect(
      await metricValue(app.registry, 'realtime_clients_dropped_total', { reason: 'heartbeat_timeout' }),
    ).toBe(1);
    expect(app.hub.size).toBe(0);
  });
});

describe('both transports', () => {
  it('receive a broadcast from any instance, once per connection', async () => {
    const keys = testKeys();
    const one = instance(redis, keys);
    const two = instance(redis, keys);
    const { url } = await serve(one);
    const { ws } = await serve(two);
    const stream = await openSse(`${url}/events`, as('ada'));
    const socket = await openWebSocket(ws, { headers: as('grace') });
    // Both live (each hub has subscribed the broadcast channel before its client's `ready`).
    await waitFor(
      () =>
        stream.frames.some((frame) => frame.event === 'ready') &&
        socket.messages.some((message) => message.type === 'ready'),
      WAIT,
    );
    expect(await one.hub.broadcast('announcement', { text: 'maintenance at 22:00' })).toBe(2);
    await waitFor(
      () =>
        stream.frames.some((frame) => frame.event === 'announcement') &&
        socket.messages.some((message) => message.type === 'announcement'),
      WAIT,
    );
    expect(JSON.parse(stream.frames.find((frame) => frame.event === 'announcement')!.data)).toEqual({
      text: 'maintenance at 22:00',
    });
    expect(socket.messages.filter((message) => message.type === 'announcement')).toEqual([
      { type: 'announcement', data: { text: 'maintenance at 22:00' } },
    ]);
    stream.close();
    socket.close();
  });

  it('give each of a user’s connections the same event and broadcast, in its transport’s format, as text', async () => {
    const app = instance(redis, testKeys());
    const { url, ws } = await serve(app);
    // Interleaved transports: each encodes a delivery once and hands the same bytes to its connections.
    const first = await openWebSocket(ws, { headers: as('ada') });
    const stream = await openSse(`${url}/events`, as('ada'));
    const second = await openWebSocket(ws, { headers: as('ada') });
    const frameKinds: string[] = [];
    const browserLike = new WebSocket(ws, { headers: as('ada') });
    browserLike.on('message', (_data, isBinary) => frameKinds.push(isBinary ? 'binary' : 'text'));
    redis.cleanup.push(() => browserLike.close());
    await waitFor(
      () =>
        [first, second].every((socket) => socket.messages.some((message) => message.type === 'ready')) &&
        stream.frames.some((frame) => frame.event === 'ready') &&
        frameKinds.length === 1,
      WAIT,
    );

    const id = await app.feed.publish('ada', 'notification', { text: 'to every tab' });
    await app.hub.broadcast('announcement', { text: 'to all' });
    await waitFor(
      () =>
        [first, second].every((socket) => socket.messages.length === 3) &&
        stream.frames.filter((frame) => frame.event !== 'ready').length === 2 &&
        frameKinds.length === 3,
      WAIT,
    );
    for (const socket of [first, second]) {
      expect(socket.messages.slice(1)).toEqual([
        {
          type: 'event',
          id,
          event: 'notification',
          data: { text: 'to every tab' },
          publishedAt: Number(id.split('-')[0]),
          replayed: false,
        },
        { type: 'announcement', data: { text: 'to all' } },
      ]);
    }
    const [event, announcement] = stream.frames.filter((frame) => frame.event !== 'ready');
    expect(event).toEqual({
      id,
      event: 'notification',
      data: JSON.stringify({
        data: { text: 'to every tab' },
        publishedAt: Number(id.split('-')[0]),
        replayed: false,
      }),
    });
    expect(announcement).toEqual({ event: 'announcement', data: JSON.stringify({ text: 'to all' }) });
    // What a browser's `JSON.parse(message.data)` needs: text frames, never binary ones.
    expect(frameKinds).toEqual(['text', 'text', 'text']);
    stream.close();
    first.close();
    second.close();
  });

  it(
    'drop a client that stops reading once its unsent data passes the bound, and keep serving the others',
    { timeout: 180_000 },
    async () => {
      const app = instance(redis, testKeys());
      const { url, ws } = await serve(app, { maxBufferedBytes: 256 * 1024 });
      const stalledSocket = await openStalledWebSocket(ws, as('slow-ws'));
      const stalledSse = await new Promise<IncomingMessage>((resolve) =>
        get(`${url}/events`, { headers: as('slow-sse') }, (response) => {
          response.pause();
          resolve(response);
        }),
      );
      const healthy = await openWebSocket(ws, { headers: as('reader') });
      // Freed even when the test fails, so the file's clean-up never waits on them.
      redis.cleanup.push(() => {
        stalledSocket.destroy();
        stalledSse.destroy();
        healthy.close();
      });
      await waitFor(() => app.hub.size === 3, WAIT);
      // A new client starts at the feed's end: publish once the reader is live.
      await waitFor(() => healthy.messages.some((message) => message.type === 'ready'), WAIT);

      // 64 KiB events: far past the kernel's socket buffers and the 256 KiB bound. The reader, in
      // this same process, gets each before the next is published: it keeps up however busy the
      // machine is, while the two that never read fall behind.
      const big = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 120; i += 1) {
        await app.feed.publishToMany(['slow-ws', 'slow-sse', 'reader'], 'notification', {
          text: `${i}:${big}`,
        });
        await waitFor(() => healthy.texts().length === i + 1, SLOW_WAIT).catch((error: unknown) => {
          throw new Error(
            `event ${i}: reader has ${healthy.texts().length}, close code ${healthy.closeCode}, hub ${app.hub.size}`,
            { cause: error },
          );
        });
      }
      await waitFor(() => app.hub.size === 1, SLOW_WAIT);
      expect(
        await metricValue(app.registry, 'realtime_clients_dropped_total', {
          transport: 'websocket',
          reason: 'slow_client',
        }),
      ).toBe(1);
      expect(
        await metricValue(app.registry, 'realtime_clients_dropped_total', {
          transport: 'sse',
          reason: 'slow_client',
        }),
      ).toBe(1);
      expect(healthy.closeCode).toBeUndefined();
    },
  );

  it('tell every client to reconnect when the hub drains, and take their users offline', async () => {
    const app = instance(redis, testKeys());
    const { url, ws } = await serve(app);
    const socket = await openWebSocket(ws, { headers: as('ada') });
    const stream = await openSse(`${url}/events`, as('grace'));
    await waitFor(() => app.hub.size === 2, WAIT);
    await app.hub.drain();
    await waitFor(() => socket.closeCode !== undefined && stream.ended, WAIT);
    expect(socket.messages.at(-1)).toEqual({ type: 'reconnect' });
    expect(socket.closeCode).toBe(1012);
    expect(stream.frames.at(-1)?.event).toBe('reconnect');
    expect(await app.presence.onlineCount()).toBe(0);
    const refused = await fetch(`${url}/events`, { headers: as('ada') });
    expect(refused.status).toBe(503);
  });
});
