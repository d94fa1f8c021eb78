// sendInTurn relies on the same ioredis internals as sendNow (its Command class and
// `sendCommand`, `autoPipelineQueueSize`) plus the client's `stream` being a Node socket that
// can be corked. The session store's reads and TTL refreshes go through it.
import { context, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { uniquePrefix, useRedisServer } from '@rnh/test-utils';
import { Redis, type Command } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { sendInTurn } from '../src/connection/send-in-turn.js';
import { TestContextManager } from './context-manager.js';

const redis = useRedisServer();
const clients: Redis[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.quit();
});

async function client(enableAutoPipelining: boolean, keyPrefix = uniquePrefix('in-turn')): Promise<Redis> {
  const created = new Redis({
    host: redis.server.host,
    port: redis.server.port,
    keyPrefix,
    enableAutoPipelining,
    lazyConnect: true,
  });
  clients.push(created);
  await created.connect();
  return created;
}

/** Counts the socket writes of a client: one `_writev` for a corked batch, `_write` for a single chunk. */
function countWrites(target: Redis): { writes: number; chunks: number } {
  const counts = { writes: 0, chunks: 0 };
  const socket = target.stream as unknown as {
    _writev: (chunks: unknown[], done: unknown) => void;
    _write: (chunk: unknown, encoding: unknown, done: unknown) => void;
  };
  const writev = socket._writev.bind(socket);
  const write = socket._write.bind(socket);
  socket._writev = (chunks, done) => {
    counts.writes += 1;
    counts.chunks += chunks.length;
    writev(chunks, done);
  };
  socket._write = (chunk, encoding, done) => {
    counts.writes += 1;
    counts.chunks += 1;
    write(chunk, encoding, done);
  };
  return counts;
}

describe('sendInTurn', () => {
  for (const autoPipelining of [true, false]) {
    const mode = autoPipelining ? 'auto-pipelining on' : 'auto-pipelining off';

    it(`${mode}: one turn's commands go out in one socket write, in order, with the keyPrefix, answered as by the ordinary API`, async () => {
      const prefix = uniquePrefix('in-turn');
      const target = await client(autoPipelining, prefix);
      await redis.admin.hset(`${prefix}h`, 'd', 'data', 'c', '1');
      const writes = countWrites(target);

      const replies = [
        sendInTurn(target, 'hmget', ['h', 'd', 'c', 'missing']),
        sendInTurn(target, 'set', ['k', 'v1']),
        sendInTurn(target, 'get', ['k']),
        sendInTurn(target, 'pexpire', ['h', 60_000]),
        sendInTurn(target, 'pexpire', ['no-such-key', 60_000]),
      ];
      expect(target.autoPipelineQueueSize, 'sendInTurn used the auto-pipeline').toBe(0);
      expect(await Promise.all(replies)).toEqual([['data', '1', null], 'OK', 'v1', 1, 0]);
      expect(writes, 'the turn was not written as one batch').toEqual({ writes: 1, chunks: 5 });
      expect(await redis.admin.pttl(`${prefix}h`)).toBeGreaterThan(50_000);
    });
  }

  it('never overtakes a command queued on the auto-pipeline before it', async () => {
    const target = await client(true);
    const write = target.set('k', 'written first');
    expect(target.autoPipelineQueueSize).toBe(1);
    expect(await sendInTurn(target, 'get', ['k'])).toBe('written first');
    await write;
  });

  it('an error reply rejects that command only', async () => {
    const target = await client(false);
    await target.set('text', 'not a hash');
    const wrongType = sendInTurn(target, 'hget', ['text', 'f']);
    const fine = sendInTurn(target, 'get', ['text']);
    await expect(wrongType).rejects.toThrow(/WRONGTYPE/);
    expect(await fine).toBe('not a hash');
  });

  it('a client not connected yet sends the commands once it is', async () => {
    const prefix = uniquePrefix('in-turn');
    const target = new Redis({
      host: redis.server.host,
      port: redis.server.port,
      keyPrefix: prefix,
      lazyConnect: true,
    });
    clients.push(target);
    await redis.admin.set(`${prefix}k`, 'v');
    expect(await sendInTurn(target, 'get', ['k'])).toBe('v');
  });

  it("sends each command in its caller's context: spans and exemplars go to the right request", async () => {
    context.setGlobalContextManager(new TestContextManager());
    try {
      const target = await client(true);
      const seen: Array<string | undefined> = [];
      const original = target.sendCommand.bind(target);
      target.sendCommand = ((command: Command, stream?: unknown) => {
        seen.push(trace.getActiveSpan()?.spanContext().spanId);
        return original(command, stream as never);
      }) as typeof target.sendCommand;
      const span = (id: string): Span =>
        trace.wrapSpanContext({
          traceId: 'a'.repeat(32),
          spanId: id.repeat(16),
          traceFlags: TraceFlags.SAMPLED,
        });
      const inSpan = (id: string) =>
        context.with(trace.setSpan(context.active(), span(id)), () => sendInTurn(target, 'get', [id]));
      await Promise.all([inSpan('1'), inSpan('2'), sendInTurn(target, 'get', ['none']), inSpan('3')]);
      expect(seen).toEqual(['1'.repeat(16), '2'.repeat(16), undefined, '3'.repeat(16)]);
    } finally {
      context.disable();
    }
  });
});
