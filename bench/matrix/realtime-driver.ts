// The clients of one realtime server, and the publisher of its broadcasts, in a process of their
// own (sections/realtime.ts forks one per server): the lag of a delivery is the time it was read
// here minus the `sentAt` this process put in it, one clock, no cross-process skew. Broadcasts go
// one at a time: the next is sent once every client has the last one (or after a timeout).
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { io as socketIoClient } from 'socket.io-client';
import { WebSocket } from 'ws';
import { openFilesLimit } from './fd-limit.js';
import { serveRequests } from './ipc-process.js';
import {
  ChunkedSseReader,
  isTick,
  parseSocketIoFrame,
  SOCKET_IO_CONNECT,
  SOCKET_IO_PATH,
  SOCKET_IO_PONG,
  type Tick,
} from './realtime-protocol.js';
import { buildRealtime } from './realtime-rnh.js';
import { startRnhApp } from './rnh-app.js';
import type { ServerKind } from './realtime-server.js';

export type ToDriver =
  | {
      type: 'setup';
      kind: ServerKind;
      baseUrl: string;
      redisHost: string;
      redisPort: number;
      websockets: number;
      sse: number;
      /** Connections being opened at once. */
      concurrency: number;
      connectTimeoutMs: number;
    }
  | { type: 'broadcasts'; count: number; gapMs: number; timeoutMs: number };

export type FromDriver =
  | { type: 'ready'; clients: number; connectSeconds: number; openFiles: number | null; checked: string }
  | {
      type: 'lags';
      /** Every delivery's lag, ms. */
      lags: number[];
      /** Deliveries that did not arrive within the timeout. */
      missed: number;
      /** Clients whose connection closed while the run went on. */
      closed: number;
      /** This process's CPU per delivery, µs: the instrument's own cost, alike for every server. */
      driverCpuMicrosPerDelivery: number;
    };

const now = () => performance.timeOrigin + performance.now();

interface Waiting {
  seq: number;
  lags: number[];
  expected: number;
  done: () => void;
}

let waiting: Waiting | undefined;
let nextSeq = 0;
let closed = 0;
let running = true;
const sockets: Array<{ close(): void }> = [];
let publish: ((tick: Tick) => Promise<void>) | undefined;
let closePublisher: (() => Promise<void>) | undefined;

/** Every client calls this as soon as a frame is read, with the time it was read. */
function received(at: number, tick: unknown): void {
  if (!isTick(tick) || !waiting || tick.seq !== waiting.seq) return;
  waiting.lags.push(at - tick.sentAt);
  if (waiting.lags.length === waiting.expected) waiting.done();
}

function lost(): void {
  if (running) closed++;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** An @rnh/realtime WebSocket client: ready once the server says `ready`. */
function rnhWebSocket(baseUrl: string, user: string): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws?user=${user}`);
    let ready = false;
    ws.on('message', (data) => {
      const at = now();
      const message = JSON.parse(data.toString()) as { type?: string; data?: unknown };
      if (message.type === 'tick') received(at, message.data);
      else if (message.type === 'ready' && !ready) {
        ready = true;
        resolve({ close: () => ws.terminate() });
      }
    });
    ws.on('unexpected-response', (_request, response) =>
      reject(new Error(`WebSocket refused: HTTP ${response.statusCode}`)),
    );
    ws.on('error', (error) => {
      if (!ready) reject(error);
    });
    ws.on('close', () => (ready ? lost() : reject(new Error('WebSocket closed before ready'))));
  });
}

/**
 * An @rnh/realtime SSE client (what EventSource does), on a bare TCP socket read by
 * ChunkedSseReader: ready once the `ready` event arrives.
 */
function rnhSse(baseUrl: string, user: string): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    const socket = connect(Number(port), hostname);
    socket.setNoDelay(true);
    const reader = new ChunkedSseReader();
    let ready = false;
    socket.on('connect', () =>
      socket.write(
        `GET /events?user=${user} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`,
      ),
    );
    socket.on('data', (bytes: Buffer) => {
      const at = now();
      let events;
      try {
        events = reader.read(bytes);
      } catch (error) {
        socket.destroy();
        if (!ready) reject(error as Error);
        return;
      }
      for (const event of events) {
        if (event.event === 'tick') received(at, JSON.parse(event.data));
        else if (event.event === 'ready' && !ready) {
          ready = true;
          resolve({ close: () => socket.destroy() });
        }
      }
    });
    socket.on('error', (error) => {
      if (!ready) reject(error);
    });
    socket.on('close', () => (ready ? lost() : reject(new Error('SSE stream ended before ready'))));
  });
}

/** A Socket.IO client over WebSocket, speaking the protocol itself (see realtime-protocol.ts). */
function socketIoWebSocket(baseUrl: string): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}${SOCKET_IO_PATH}`);
    let ready = false;
    ws.on('message', (data) => {
      const at = now();
      const frame = parseSocketIoFrame(data.toString());
      if (frame.kind === 'event') {
        if (frame.name === 'tick') received(at, frame.args[0]);
      } else if (frame.kind === 'ping') ws.send(SOCKET_IO_PONG);
      else if (frame.kind === 'open') ws.send(SOCKET_IO_CONNECT);
      else if (frame.kind === 'connected' && !ready) {
        ready = true;
        resolve({ close: () => ws.terminate() });
      } else if (frame.kind === 'connect-error') reject(new Error(`Socket.IO refused: ${frame.message}`));
    });
    ws.on('error', (error) => {
      if (!ready) reject(error);
    });
    ws.on('close', () => (ready ? lost() : reject(new Error('WebSocket closed before connected'))));
  });
}

/** Opens `count` connections, `concurrency` at a time. */
async function openAll(
  count: number,
  concurrency: number,
  open: (index: number) => Promise<{ close(): void }>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      sockets.push(await open(index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function broadcastOnce(
  expected: number,
  timeoutMs: number,
): Promise<{ lags: number[]; missed: number }> {
  const seq = nextSeq++;
  const lags: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  const arrived = new Promise<void>((resolve) => {
    waiting = { seq, lags, expected, done: resolve };
    timer = setTimeout(resolve, timeoutMs);
  });
  await publish!({ sentAt: now(), seq });
  await arrived;
  clearTimeout(timer);
  waiting = undefined;
  return { lags, missed: expected - lags.length };
}

/** The real socket.io-client receives a broadcast as the thin clients do: they speak its protocol. */
async function checkWithSocketIoClient(baseUrl: string, timeoutMs: number): Promise<string> {
  const client = socketIoClient(baseUrl, { transports: ['websocket'], forceNew: true, reconnection: false });
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('connect_error', reject);
      }),
      timeoutMs,
      'socket.io-client connect',
    );
    const got = new Promise<unknown>((resolve) => client.once('tick', resolve));
    const { missed } = await broadcastOnce(sockets.length, timeoutMs);
    const tick = await withTimeout(got, timeoutMs, 'socket.io-client tick');
    if (!isTick(tick) || missed > 0)
      throw new Error(
        `check broadcast: socket.io-client got ${JSON.stringify(tick)}, ${missed} clients missed it`,
      );
    return `socket.io-client and the ${sockets.length} thin clients received the same broadcast`;
  } finally {
    client.disconnect();
  }
}

async function setup(request: Extract<ToDriver, { type: 'setup' }>): Promise<FromDriver> {
  const started = performance.now();
  if (request.kind === 'rnh') {
    const app = await startRnhApp(request.redisHost, request.redisPort);
    const { hub } = buildRealtime(app);
    publish = async (tick) => {
      const hubs = await hub.broadcast('tick', tick);
      if (hubs < 1) throw new Error('hub.broadcast: no hub is subscribed to broadcasts');
    };
    closePublisher = () => app.connections.close();
    await openAll(request.websockets, request.concurrency, (index) =>
      withTimeout(rnhWebSocket(request.baseUrl, `u${index}`), request.connectTimeoutMs, 'WebSocket connect'),
    );
    await openAll(request.sse, request.concurrency, (index) =>
      withTimeout(
        rnhSse(request.baseUrl, `u${request.websockets + index}`),
        request.connectTimeoutMs,
        'SSE connect',
      ),
    );
  } else {
    const redis = new Redis({ host: request.redisHost, port: request.redisPort });
    const emitter = new Emitter(redis);
    publish = async (tick) => {
      emitter.emit('tick', tick);
    };
    closePublisher = async () => {
      await redis.quit();
    };
    await openAll(request.websockets, request.concurrency, () =>
      withTimeout(socketIoWebSocket(request.baseUrl), request.connectTimeoutMs, 'Socket.IO connect'),
    );
  }
  const connectSeconds = (performance.now() - started) / 1000;
  const checked =
    request.kind === 'socketio'
      ? await checkWithSocketIoClient(request.baseUrl, request.connectTimeoutMs)
      : `the ${sockets.length} clients are ready`;
  const openFiles = openFilesLimit();
  return {
    type: 'ready',
    clients: sockets.length,
    connectSeconds,
    openFiles: openFiles === undefined || !Number.isFinite(openFiles) ? null : openFiles,
    checked,
  };
}

async function broadcasts(request: Extract<ToDriver, { type: 'broadcasts' }>): Promise<FromDriver> {
  const lags: number[] = [];
  let missed = 0;
  const closedBefore = closed;
  const cpu = process.cpuUsage();
  for (let index = 0; index < request.count; index++) {
    const one = await broadcastOnce(sockets.length, request.timeoutMs);
    lags.push(...one.lags);
    missed += one.missed;
    await sleep(request.gapMs);
  }
  const used = process.cpuUsage(cpu);
  return {
    type: 'lags',
    lags,
    missed,
    closed: closed - closedBefore,
    driverCpuMicrosPerDelivery: (used.user + used.system) / Math.max(1, lags.length),
  };
}

serveRequests<ToDriver, FromDriver>(
  (request) => (request.type === 'setup' ? setup(request) : broadcasts(request)),
  async () => {
    running = false;
    for (const socket of sockets.splice(0)) socket.close();
    await closePublisher?.();
  },
);
