import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { MetricsRegistry } from '@rnh/redis-client';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_CLIENT_MESSAGE_BYTES } from '../defaults.js';
import type { ClientSink, CloseReason } from '../hub/client-sink.js';
import type { Admission, HubConnection, RealtimeHub } from '../hub/hub.js';
import { metricsFor } from '../metrics.js';
import type { Delivery, EventSchemas } from '../types.js';
import { encodeOnce } from './encode-once.js';
import { textFrame, writeFrame } from './websocket-frame.js';
import type { Authenticate } from './identity.js';
import { type AllowedOrigins, originAllowed } from './origin.js';
import { refusal, refusalFor, type Refusal } from './refusal.js';

export interface WebSocketOptions {
  authenticate: Authenticate;
  /** The path clients connect to. Default `/ws`. */
  path?: string;
  /** Browser origins allowed to connect besides the server's own (whose Origin host is the Host header). */
  allowedOrigins?: AllowedOrigins;
  /** A client with more unsent data than this is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** The largest message a client may send (it only sends small control messages). Default 4 KiB. */
  maxMessageBytes?: number;
  /** The registry the hub records on, for the refused-connection counter. */
  registry?: MetricsRegistry;
}

/** What `attachWebSocket` returns: stop accepting upgrades (the hub's `drain` closes the sockets). */
export interface WebSocketEndpoint {
  close(): Promise<void>;
}

/** Close codes a client sees: 1012 the server restarts (reconnect), 1008 dropped (policy), 1011 an error. */
const CLOSE_CODES: Record<CloseReason, [number, string]> = {
  drain: [1012, 'server restarting, reconnect'],
  slow_client: [1008, 'too much unsent data'],
  heartbeat_timeout: [1008, 'no answer to ping'],
  server_error: [1011, 'server error, reconnect'],
};

/**
 * Serves a user's live events over WebSocket on `server` at `path`. The upgrade is checked before
 * it completes: Origin (cross-site pages are refused), the app's `authenticate` (cookie or Bearer),
 * the resume cursor (`?lastEventId=`), and the per-user limit; a refusal is a plain HTTP answer
 * (400, 401, 403, 429 or 503 with a JSON body). Messages to the client are JSON, one per frame.
 */
export function attachWebSocket<S extends EventSchemas>(
  server: Server,
  hub: RealtimeHub<S>,
  options: WebSocketOptions,
): WebSocketEndpoint {
  const path = options.path ?? '/ws';
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const metrics = metricsFor(options.registry);
  const encoded = encodeOnce<S>((delivery) => JSON.stringify(message(delivery)));
  // The frame around the last encoded bytes, built once for all the connections it goes to.
  let framedBytes: Buffer | undefined;
  let frame: Buffer[] | undefined;
  const framed = (bytes: Buffer) => {
    if (bytes !== framedBytes) {
      framedBytes = bytes;
      frame = textFrame(bytes);
    }
    return frame;
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_CLIENT_MESSAGE_BYTES,
    // Compression costs memory per socket (zlib contexts), the thing that bounds clients per process.
    perMessageDeflate: false,
  });
  const refuse = (socket: Duplex, answer: Refusal) => {
    metrics.rejected.inc({ transport: 'websocket', reason: answer.reason });
    const body = JSON.stringify(answer.body);
    const headers = Object.entries({ ...answer.headers, 'content-type': 'application/json' })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? 'Error'}\r\n${headers}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return;
    socket.on('error', () => undefined);
    void upgrade(request, socket, head, url).catch(() =>
      refuse(socket, refusal('unavailable', 'real-time delivery is unavailable')),
    );
  };

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => {
    if (!originAllowed(request, options.allowedOrigins)) {
      return refuse(socket, refusal('origin', 'this origin may not open a real-time connection'));
    }
    let admission: Admission<S>;
    try {
      const identity = await options.authenticate(request);
      if (!identity) return refuse(socket, refusal('unauthenticated', 'sign in to receive live events'));
      const after = url.searchParams.get('lastEventId') ?? undefined;
      admission = await hub.admit({ userId: identity.userId, orgIds: identity.orgIds, after });
    } catch (error) {
      return refuse(socket, refusalFor(error));
    }
    if (socket.destroyed) return admission.cancel();
    wss.handleUpgrade(request, socket, head, (ws) => void serve(ws, admission));
  };

  const serve = async (ws: WebSocket, admission: Admission<S>) => {
    let alive = true;
    let connection: HubConnection | undefined;
    let gone = false;
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      gone = true;
      void connection?.close();
    });
    const sink: ClientSink<S> = {
      transport: 'websocket',
      write: (delivery) => {
        if (gone || ws.readyState !== ws.OPEN) return false;
        // The shared bytes in a text frame built once; `send()` where that cannot be used.
        const bytes = encoded(delivery);
        if (!writeFrame(ws, framed(bytes))) ws.send(bytes, { binary: false });
        return ws.bufferedAmount <= maxBuffered;
      },
      ping: () => {
        if (!alive || gone) return false;
        alive = false;
        ws.ping();
        return ws.bufferedAmount <= maxBuffered;
      },
      close: (reason) => {
        gone = true;
        // A dropped client gets no goodbye it could not read anyway: its socket is freed at once.
        if (reason === 'slow_client' || reason === 'heartbeat_timeout') ws.terminate();
        else ws.close(...CLOSE_CODES[reason]);
      },
    };
    try {
      connection = await admission.open(sink);
    } catch {
      if (!gone) ws.close(...CLOSE_CODES.server_error);
      return;
    }
    if (gone) await connection.close();
  };

  server.on('upgrade', onUpgrade);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.off('upgrade', onUpgrade);
        wss.close(() => resolve());
      }),
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** The JSON a WebSocket client receives; `type` tells what it is. */
function message<S extends EventSchemas>(delivery: Delivery<S>): object {
  switch (delivery.kind) {
    case 'event': {
      const { event, replayed } = delivery;
      return {
        type: 'event',
        id: event.id,
        event: event.type,
        data: event.data,
        publishedAt: event.publishedAt,
        replayed,
      };
    }
    case 'ready':
    case 'reset':
      return { type: delivery.kind, cursor: delivery.cursor };
    case 'channel':
      return { type: delivery.channel, data: delivery.data };
    case 'reconnect':
      return { type: 'reconnect' };
  }
}
