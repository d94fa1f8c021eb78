import * as wsModule from 'ws';
import type { WebSocket } from 'ws';

/** `ws`'s frame writer, which its public `send()` builds on (see websockets/ws#617). */
interface FrameSender {
  sendFrame(frame: Buffer[], callback?: (error?: Error) => void): void;
}

/** `WebSocket.Sender.frame()`: a server's (unmasked) frame header and payload, built once. */
type FrameBuilder = (
  data: Buffer,
  options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean },
) => Buffer[];

// `Sender` is a named export of ws's ES module (not a property of its WebSocket class there).
const frameOf = (wsModule as unknown as { Sender?: { frame?: FrameBuilder } }).Sender?.frame;

/**
 * A text frame around `data`, to be written as it is to every connection of a broadcast:
 * `send()` would build the same header again for each of them. Undefined where this `ws`
 * has no frame builder (then `writeFrame` is never used).
 */
export function textFrame(data: Buffer): Buffer[] | undefined {
  return frameOf?.(data, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: true });
}

/**
 * Writes a frame built by `textFrame` to `ws`, as Socket.IO's engine does for its broadcasts.
 * False when this connection cannot take a pre-built frame (no frame writer in this `ws`, or an
 * extension such as permessage-deflate negotiated): the caller then uses `send()`.
 */
export function writeFrame(ws: WebSocket, frame: Buffer[] | undefined): boolean {
  const sender = (ws as unknown as { _sender?: Partial<FrameSender> })._sender;
  if (!frame || ws.extensions !== '' || typeof sender?.sendFrame !== 'function') return false;
  sender.sendFrame(frame);
  return true;
}
