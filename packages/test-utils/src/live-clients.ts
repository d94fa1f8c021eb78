// Live-connection clients for tests: server-sent events as a browser's EventSource reads them, a
// WebSocket client, and one that completes the handshake and then never reads.
import { once } from 'node:events';
import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';

/** A server-sent events client as a browser's EventSource is: frames parsed, Last-Event-ID sent on request. */
export type SseClient = Awaited<ReturnType<typeof openSse>>;
export type WebSocketClient = Awaited<ReturnType<typeof openWebSocket>>;

export async function openSse(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const frames: Array<{ id?: string; event: string; data: string }> = [];
  let ended = false;
  if (response.ok && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const frame: { id?: string; event: string; data: string } = { event: 'message', data: '' };
            let isFrame = false;
            for (const line of block.split('\n')) {
              const colon = line.indexOf(':');
              if (colon === 0) continue; // a comment (ping)
              const field = line.slice(0, colon);
              const value = line.slice(colon + 2);
              if (field === 'id') frame.id = value;
              if (field === 'event') frame.event = value;
              if (field === 'data') frame.data = value;
              if (field === 'id' || field === 'event' || field === 'data') isFrame = true;
            }
            if (isFrame) frames.push(frame);
          }
        }
      } catch {
        // aborted
      }
      ended = true;
    })();
  }
  return {
    response,
    frames,
    get ended() {
      return ended;
    },
    /** The last id received: what EventSource sends as Last-Event-ID when it reconnects. */
    lastEventId: () => frames.filter((frame) => frame.id !== undefined).at(-1)?.id,
    /** Texts of the notification events received, in order. */
    texts: () =>
      frames
        .filter((frame) => frame.event === 'notification')
        .map((frame) => (JSON.parse(frame.data) as { data: { text: string } }).data.text),
    close: () => controller.abort(),
  };
}

/** A WebSocket client that keeps what it receives; `unexpected` holds a refused handshake's status and body. */
export async function openWebSocket(url: string, options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, options);
  const messages: Array<Record<string, unknown>> = [];
  let closeCode: number | undefined;
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  ws.on('close', (code) => {
    closeCode = code;
  });
  const outcome = await new Promise<{ status?: number; body?: string }>((resolve) => {
    ws.once('open', () => resolve({}));
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += String(chunk)));
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    ws.once('error', () => resolve({ status: -1 }));
  });
  return {
    ws,
    messages,
    refused: outcome.status === undefined ? undefined : outcome,
    get closeCode() {
      return closeCode;
    },
    texts: () =>
      messages
        .filter((message) => message.type === 'event')
        .map((message) => (message.data as { text: string }).text),
    close: () => ws.terminate(),
  };
}

/** A WebSocket client that completes the handshake and then never reads a byte. */
export async function openStalledWebSocket(url: string, headers: Record<string, string>): Promise<Duplex> {
  const target = new URL(url);
  const upgrade = request({
    host: target.hostname,
    port: target.port,
    path: target.pathname + target.search,
    headers: {
      ...headers,
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
    },
  });
  upgrade.end();
  const [, socket] = (await once(upgrade, 'upgrade')) as [unknown, Duplex];
  socket.pause();
  return socket;
}
