// What the realtime cell's clients read, kept thin on purpose: the clients are the measuring
// instrument, so each message costs them the same small parse whichever server sent it (a
// library client's own decoding per message would queue behind 2,000 sockets in one process
// and count as the server's lag).

/** One server-sent event: its `event:` (default `message`) and its `data:` lines joined. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Splits a stream's text into complete events (a blank line ends each) and what is left
 * unfinished. Comment lines (`: ping`) and `retry:`/`id:` fields are skipped.
 */
export function parseSse(text: string): { events: SseEvent[]; rest: string } {
  const blocks = text.split('\n\n');
  const rest = blocks.pop() ?? '';
  const events: SseEvent[] = [];
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
    if (data.length > 0 || event !== 'message') events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}

/**
 * An HTTP/1.1 SSE response read straight off a TCP socket, as thin as the Socket.IO clients:
 * the status line and headers, then a chunked body whose chunks are joined and split into
 * events. Node's HTTP client would put a readable stream and a string decoder between every
 * chunk and the parse, which the WebSocket clients do not pay.
 */
export class ChunkedSseReader {
  private pending: Buffer = Buffer.alloc(0);
  private headersRead = false;
  private text = '';
  /** Set once the headers are read. */
  status: number | undefined;
  ended = false;

  /** The complete events in what has come so far; throws on a response that is not a chunked 200. */
  read(bytes: Buffer): SseEvent[] {
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    if (!this.headersRead && !this.readHeaders()) return [];
    while (!this.ended) {
      const lineEnd = this.pending.indexOf('\r\n');
      if (lineEnd < 0) break;
      const size = Number.parseInt(this.pending.toString('latin1', 0, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error('SSE: a chunk size line is not hexadecimal');
      const end = lineEnd + 2 + size;
      if (this.pending.length < end + 2) break;
      if (size === 0) this.ended = true;
      else this.text += this.pending.toString('utf8', lineEnd + 2, end);
      this.pending = this.pending.subarray(end + 2);
    }
    const { events, rest } = parseSse(this.text);
    this.text = rest;
    return events;
  }

  private readHeaders(): boolean {
    const end = this.pending.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const [statusLine = '', ...headers] = this.pending.toString('latin1', 0, end).split('\r\n');
    this.status = Number(statusLine.split(' ')[1]);
    if (this.status !== 200) throw new Error(`SSE refused: ${statusLine}`);
    if (!headers.some((header) => /^transfer-encoding:\s*chunked$/i.test(header)))
      throw new Error('SSE: the body is not chunked');
    this.headersRead = true;
    this.pending = this.pending.subarray(end + 4);
    return true;
  }
}

/**
 * A text frame of Socket.IO over WebSocket (Engine.IO protocol 4, Socket.IO protocol 5): the
 * Engine.IO packet type is the first character (0 open, 2 ping, 4 message), and a message
 * carries a Socket.IO packet (0 connect, 2 event, 4 connect error) on the main namespace.
 */
export type SocketIoFrame =
  | { kind: 'open' }
  | { kind: 'ping' }
  | { kind: 'connected' }
  | { kind: 'event'; name: string; args: unknown[] }
  | { kind: 'connect-error'; message: string }
  | { kind: 'other'; text: string };

export function parseSocketIoFrame(text: string): SocketIoFrame {
  switch (text[0]) {
    case '0':
      return { kind: 'open' };
    case '2':
      return { kind: 'ping' };
    case '4':
      break;
    default:
      return { kind: 'other', text };
  }
  if (text[1] === '0') return { kind: 'connected' };
  if (text[1] === '2') {
    const array = JSON.parse(text.slice(2)) as unknown;
    if (Array.isArray(array) && typeof array[0] === 'string')
      return { kind: 'event', name: array[0], args: array.slice(1) };
  }
  if (text[1] === '4') return { kind: 'connect-error', message: text.slice(2) };
  return { kind: 'other', text };
}

/** What a Socket.IO client sends: join the main namespace after `open`, answer a `ping`. */
export const SOCKET_IO_CONNECT = '40';
export const SOCKET_IO_PONG = '3';

/** The path a Socket.IO client opens a WebSocket on, without polling first. */
export const SOCKET_IO_PATH = '/socket.io/?EIO=4&transport=websocket';

/** What every broadcast of the cell carries: when it was sent, and which one it is. */
export interface Tick {
  sentAt: number;
  seq: number;
}

export function isTick(value: unknown): value is Tick {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Tick).sentAt === 'number' &&
    typeof (value as Tick).seq === 'number'
  );
}
