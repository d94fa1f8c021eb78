// One server of the realtime cell, in a process of its own so that its memory is its clients'
// alone (sections/realtime.ts forks it with --expose-gc). `rnh`: @rnh/realtime's sseHandler on
// GET /events and attachWebSocket on /ws, the user from `?user=` (a bench's stand-in for a
// session), metrics and tracing on as in production. `socketio`: a Socket.IO server with
// @socket.io/redis-adapter on ioredis pub/sub connections, as its documentation sets it up.
// Either receives broadcasts only through Redis pub/sub, from the driver's publisher.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachWebSocket, sseHandler, type Authenticate } from '@rnh/realtime';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server as SocketIoServer } from 'socket.io';
import { startTracing } from '../lib/tracing.js';
import { openFilesLimit } from './fd-limit.js';
import { serveRequests } from './ipc-process.js';
import { buildRealtime } from './realtime-rnh.js';
import { startRnhApp } from './rnh-app.js';

export type ServerKind = 'rnh' | 'socketio';

export type ToServer =
  { type: 'start'; kind: ServerKind; redisHost: string; redisPort: number } | { type: 'sample' };

export type FromServer =
  | { type: 'started'; port: number; openFiles: number | null }
  | {
      type: 'sample';
      /** After a full garbage collection. */
      rss: number;
      heapUsed: number;
      /** Connections the server counts as open. */
      clients: number;
      /** Process CPU (user + system) before and after that collection, µs. */
      cpuMicrosBefore: number;
      cpuMicrosAfter: number;
    };

interface Running {
  port: number;
  clients(): number;
  close(): Promise<void>;
}

const cpuMicros = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

function listen(server: HttpServer): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** The bench's stand-in for a session: the user id from `?user=`. */
const authenticate: Authenticate = (request) => {
  const user = new URL(request.url ?? '/', 'http://localhost').searchParams.get('user');
  return user ? { userId: user } : null;
};

async function startRnh(redisHost: string, redisPort: number): Promise<Running> {
  const tracing = startTracing();
  const app = await startRnhApp(redisHost, redisPort);
  const { hub } = buildRealtime(app);
  const sse = sseHandler(hub, { authenticate, registry: app.registry });
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url?.startsWith('/events')) void sse(request, response);
    else response.writeHead(404).end();
  });
  const websocket = attachWebSocket(server, hub, { authenticate, path: '/ws', registry: app.registry });
  const port = await listen(server);
  return {
    port,
    clients: () => hub.size,
    async close() {
      await websocket.close();
      await hub.drain();
      server.closeAllConnections();
      server.close();
      await app.connections.close();
      await tracing.shutdown();
    },
  };
}

async function startSocketIo(redisHost: string, redisPort: number): Promise<Running> {
  const pub = new Redis({ host: redisHost, port: redisPort });
  const sub = pub.duplicate();
  const server = createServer();
  const io = new SocketIoServer(server, { adapter: createAdapter(pub, sub) });
  const port = await listen(server);
  return {
    port,
    clients: () => io.engine.clientsCount,
    async close() {
      await io.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}

/** Where the churn's objects go, so that no compiler optimization can skip making them. */
const ring: unknown[] = new Array<unknown>(1024);

/**
 * Allocates and drops about 100 MiB of small objects, so every page of the young generation
 * (fixed in size by the cell's node options) has been used before each sample: before any
 * client as after broadcasts, RSS then holds the whole young generation, which is not clients'.
 */
function churnYoungGeneration(): void {
  for (let index = 0; index < 1_000_000; index++) ring[index & 1023] = { index, pad: [index, index] };
  ring.fill(undefined);
}

let running: Running | undefined;

serveRequests<ToServer, FromServer>(
  async (request) => {
    if (request.type === 'start') {
      running =
        request.kind === 'rnh'
          ? await startRnh(request.redisHost, request.redisPort)
          : await startSocketIo(request.redisHost, request.redisPort);
      const openFiles = openFilesLimit();
      return {
        type: 'started',
        port: running.port,
        openFiles: openFiles === undefined || !Number.isFinite(openFiles) ? null : openFiles,
      };
    }
    const cpuMicrosBefore = cpuMicros();
    churnYoungGeneration();
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('the server needs --expose-gc to sample its memory');
    // Twice: the first pass can leave objects with finalizers for the second.
    gc();
    gc();
    const memory = process.memoryUsage();
    return {
      type: 'sample',
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      clients: running?.clients() ?? 0,
      cpuMicrosBefore,
      cpuMicrosAfter: cpuMicros(),
    };
  },
  async () => {
    await running?.close();
  },
);
