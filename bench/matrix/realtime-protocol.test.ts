import { describe, expect, it } from 'vitest';
import { ChunkedSseReader, isTick, parseSocketIoFrame, parseSse } from './realtime-protocol.js';

describe('parseSse', () => {
  it('returns the complete events and keeps an unfinished one for the next chunk', () => {
    const first = parseSse(
      'retry: 2000\n\nid: 1-0\nevent: ready\ndata: {"cursor":"1-0"}\n\nevent: tick\ndata: {"se',
    );
    expect(first.events).toEqual([{ event: 'ready', data: '{"cursor":"1-0"}' }]);
    const second = parseSse(`${first.rest}q":1}\n\n`);
    expect(second.events).toEqual([{ event: 'tick', data: '{"seq":1}' }]);
    expect(second.rest).toBe('');
  });

  it('skips comments (the server pings), joins data lines, and defaults the event name', () => {
    const { events } = parseSse(': ping\n\ndata: a\ndata: b\n\ndata:c\n\n');
    expect(events).toEqual([
      { event: 'message', data: 'a\nb' },
      { event: 'message', data: 'c' },
    ]);
  });
});

describe('ChunkedSseReader', () => {
  const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';

  it('reads events from chunks split anywhere, multi-byte text included, until the last chunk', () => {
    const body =
      head +
      chunk('retry: 2000\n\n') +
      chunk('event: ready\ndata: {"cursor":"1-0"}\n\n') +
      chunk('event: tick\ndata: {"text":"héllo') +
      chunk('"}\n\n') +
      '0\r\n\r\n';
    const bytes = Buffer.from(body);
    const reader = new ChunkedSseReader();
    const events = [];
    // One byte at a time: every boundary (headers, size lines, a two-byte character) is split.
    for (let index = 0; index < bytes.length; index++)
      events.push(...reader.read(bytes.subarray(index, index + 1)));
    expect(events).toEqual([
      { event: 'ready', data: '{"cursor":"1-0"}' },
      { event: 'tick', data: '{"text":"héllo"}' },
    ]);
    expect(reader.status).toBe(200);
    expect(reader.ended).toBe(true);
  });

  it('refuses a response that is not a chunked 200', () => {
    expect(() => new ChunkedSseReader().read(Buffer.from('HTTP/1.1 401 Unauthorized\r\n\r\n'))).toThrow(
      /SSE refused: HTTP\/1.1 401/,
    );
    expect(() =>
      new ChunkedSseReader().read(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc')),
    ).toThrow(/not chunked/);
  });
});

describe('parseSocketIoFrame', () => {
  it('reads the Engine.IO open and ping packets', () => {
    expect(parseSocketIoFrame('0{"sid":"x","pingInterval":25000}')).toEqual({ kind: 'open' });
    expect(parseSocketIoFrame('2')).toEqual({ kind: 'ping' });
  });

  it('reads the connect acknowledgement, events and a refused connect on the main namespace', () => {
    expect(parseSocketIoFrame('40{"sid":"y"}')).toEqual({ kind: 'connected' });
    expect(parseSocketIoFrame('42["tick",{"sentAt":1.5,"seq":3}]')).toEqual({
      kind: 'event',
      name: 'tick',
      args: [{ sentAt: 1.5, seq: 3 }],
    });
    expect(parseSocketIoFrame('44{"message":"no"}')).toEqual({
      kind: 'connect-error',
      message: '{"message":"no"}',
    });
  });

  it('leaves anything else alone', () => {
    expect(parseSocketIoFrame('6')).toEqual({ kind: 'other', text: '6' });
    expect(parseSocketIoFrame('41')).toEqual({ kind: 'other', text: '41' });
  });
});

describe('isTick', () => {
  it('takes only what the cell broadcasts', () => {
    expect(isTick({ sentAt: 1, seq: 0 })).toBe(true);
    expect(isTick({ sentAt: '1', seq: 0 })).toBe(false);
    expect(isTick(null)).toBe(false);
  });
});
