import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricsRegistry } from '@rnh/redis-client';
import { DEFAULT_MAX_BUFFERED_BYTES } from '../defaults.js';
import type { ClientSink } from '../hub/client-sink.js';
import type { HubConnection, RealtimeHub } from '../hub/hub.js';
import { metricsFor } from '../metrics.js';
import type { Delivery, EventSchemas } from '../types.js';
import { encodeOnce } from './encode-once.js';
import type { Authenticate } from './identity.js';
import { refusal, refusalFor, type Refusal } from './refusal.js';

export interface SseOptions {
  authenticate: Authenticate;
  /** A client with more unsent data than this is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** What the browser waits before reconnecting (the SSE `retry:` field). Default 2,000 ms. */
  retryMs?: number;
  /** The registry the hub records on, for the refused-connection counter. */
  registry?: MetricsRegistry;
}

/**
 * An Express (or plain `http`) handler serving a user's live events as server-sent events.
 * A browser's EventSource reconnects by itself and sends `Last-Event-ID`, so it resumes where it
 * left off. Refusals are JSON with 400, 401, 429 or 503 before any event is sent.
 */
export function sseHandler<S extends EventSchemas>(
  hub: RealtimeHub<S>,
  options: SseOptions,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const retryMs = options.retryMs ?? 2000;
  const metrics = metricsFor(options.registry);
  const encoded = encodeOnce<S>(frame);
  const encodedChunk = encodeOnce<S>((delivery) => chunk(frame(delivery)));
  const refuse = (response: ServerResponse, answer: Refusal) => {
    metrics.rejected.inc({ transport: 'sse', reason: answer.reason });
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(JSON.stringify(answer.body));
  };

  return async (request, response) => {
    let identity;
    try {
      identity = await options.authenticate(request);
    } catch (error) {
      return refuse(response, refusalFor(error));
    }
    if (!identity) return refuse(response, refusal('unauthenticated', 'sign in to receive live events'));
    const header = request.headers['last-event-id'];
    const after =
      (Array.isArray(header) ? header[0] : header) || lastEventIdParameter(request.url) || undefined;

    let admission;
    try {
      admission = await hub.admit({ userId: identity.userId, orgIds: identity.orgIds, after });
    } catch (error) {
      return refuse(response, refusalFor(error));
    }
    if (request.destroyed) return admission.cancel();

    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies such as nginx would otherwise hold events back in their buffers.
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${retryMs}\n\n`);
    // Once the headers are on the socket, each event goes to it as one pre-built chunk (one write,
    // the same bytes for every client). Node's own chunked write makes four socket writes of it,
    // often four packets for the client to read. A response still queued behind another on its
    // connection (pipelining) has no socket yet, and an HTTP/1.0 client gets no chunked body:
    // those keep Node's writes.
    const socket = response.chunkedEncoding ? response.socket : null;
    const send: (delivery: Delivery<S>) => void = socket
      ? (delivery) => socket.write(encodedChunk(delivery))
      : (delivery) => response.write(encoded(delivery));
    const buffered = socket ? () => socket.writableLength : () => response.writableLength;
    let connection: HubConnection | undefined;
    let gone = false;
    request.on('close', () => {
      gone = true;
      void connection?.close();
    });
    const sink: ClientSink<S> = {
      transport: 'sse',
      write: (delivery) => {
        if (gone) return false;
        send(delivery);
        return buffered() <= maxBuffered;
      },
      // A comment line: keeps proxies from closing an idle stream, and fills the buffer of a dead client.
      ping: () =>
        !gone && (socket ? socket.write(PING_CHUNK) : response.write(PING), buffered() <= maxBuffered),
      close: (reason) => {
        gone = true;
        // A client that reads nothing would never let `end` finish: its socket is freed at once.
        if (reason === 'slow_client' || reason === 'heartbeat_timeout') response.destroy();
        else response.end();
      },
    };
    try {
      connection = await admission.open(sink);
    } catch {
      if (!gone) response.end(frame({ kind: 'reconnect' }));
      return;
    }
    if (gone) await connection.close();
  };
}

function lastEventIdParameter(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return new URL(url, 'http://localhost').searchParams.get('lastEventId') ?? undefined;
}

const PING = ': ping\n\n';
const PING_CHUNK = Buffer.from(chunk(PING));

/** `text` as one HTTP/1.1 chunk of a chunked body: its size in hex, CRLF, the bytes, CRLF. */
function chunk(text: string): string {
  return `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
}

/** One SSE frame. Events and cursors carry `id:` (what the browser sends back as Last-Event-ID). */
function frame<S extends EventSchemas>(delivery: Delivery<S>): string {
  switch (delivery.kind) {
    case 'event': {
      const { event, replayed } = delivery;
      const body = JSON.stringify({ data: event.data, publishedAt: event.publishedAt, replayed });
      return `id: ${event.id}\nevent: ${event.type}\ndata: ${body}\n\n`;
    }
    case 'ready':
    case 'reset':
      return `id: ${delivery.cursor}\nevent: ${delivery.kind}\ndata: ${JSON.stringify({ cursor: delivery.cursor })}\n\n`;
    case 'channel':
      return `event: ${delivery.channel}\ndata: ${JSON.stringify(delivery.data)}\n\n`;
    case 'reconnect':
      return 'event: reconnect\ndata: {}\n\n';
  }
}
