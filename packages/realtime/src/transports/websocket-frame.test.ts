import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { textFrame, writeFrame } from './websocket-frame.js';

/** A server socket and its client, with permessage-deflate offered (and so negotiated) or not. */
async function pair(deflate: boolean) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: deflate });
  await once(wss, 'listening');
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, {
    perMessageDeflate: deflate,
  });
  const [server] = await accepted;
  await once(client, 'open');
  const close = async () => {
    client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  };
  return { server, client, close };
}

describe('pre-built WebSocket frames', () => {
  it('reach the client as the text message they wrap, one frame for every connection', async () => {
    const bytes = Buffer.from(JSON.stringify({ event: 'tick', data: { seq: 1 } }));
    const frame = textFrame(bytes);
    const connections = [await pair(false), await pair(false)];
    try {
      for (const { server, client } of connections) {
        const received = once(client, 'message') as Promise<[Buffer, boolean]>;
        expect(writeFrame(server, frame)).toBe(true);
        const [data, isBinary] = await received;
        expect(isBinary).toBe(false);
        expect(data.toString()).toBe(bytes.toString());
      }
    } finally {
      for (const connection of connections) await connection.close();
    }
  });

  it('are refused where an extension was negotiated (the caller sends instead)', async () => {
    const { server, close } = await pair(true);
    try {
      expect(server.extensions).toContain('permessage-deflate');
      expect(writeFrame(server, textFrame(Buffer.from('{}')))).toBe(false);
    } finally {
      await close();
    }
  });
});
