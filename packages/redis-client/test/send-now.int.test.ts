// sendNow relies on ioredis internals (its Command class, `sendCommand`, and
// `autoPipelineQueueSize`); the cache's read batches and the limiter's decision batches
// go through it. If a test here fails after an ioredis upgrade, that upgrade broke one
// of these assumptions: fix src/connection/send-now.ts (or command-class.ts) first.
import { uniquePrefix, useRedisServer } from '@rnh/test-utils';
import { Redis, type Command } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { commandClassOf } from '../src/connection/command-class.js';
import { sendNow } from '../src/connection/send-now.js';

const redis = useRedisServer();
const clients: Redis[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.quit();
});

async function client(enableAutoPipelining: boolean, keyPrefix = uniquePrefix('send-now')): Promise<Redis> {
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

/** Records every command handed to the client's sendCommand (name and args as they go to the wire). */
function watchSendCommand(target: Redis): Array<{ name: string; args: unknown[] }> {
  const seen: Array<{ name: string; args: unknown[] }> = [];
  const original = target.sendCommand.bind(target);
  target.sendCommand = ((command: Command, stream?: unknown) => {
    seen.push({ name: command.name, args: command.args });
    return original(command, stream as never);
  }) as typeof target.sendCommand;
  return seen;
}

describe('ioredis internals that sendNow relies on', () => {
  it('commandClassOf finds a Command constructor on the client (else every batch takes the slow path)', async () => {
    for (const autoPipelining of [true, false]) {
      const Command = commandClassOf(await client(autoPipelining));
      expect(typeof Command, 'ioredis no longer exposes its Command class to a pipeline').toBe('function');
    }
  });

  for (const autoPipelining of [true, false]) {
    const mode = autoPipelining ? 'auto-pipelining on' : 'auto-pipelining off';

    it(`${mode}: sendNow writes the command at once, not through the auto-pipeline`, async () => {
      const prefix = uniquePrefix('send-now');
      const target = await client(autoPipelining, prefix);
      await redis.admin.mset(`${prefix}a`, 'A', `${prefix}b`, 'B');
      const seen = watchSendCommand(target);

      const reply = sendNow(target, 'mget', ['a', 'b', 'missing']);
      // Still in the same turn: the command has gone to sendCommand and nothing is queued.
      expect(seen, 'sendNow did not hand the command to sendCommand synchronously').toEqual([
        { name: 'mget', args: [`${prefix}a`, `${prefix}b`, `${prefix}missing`] },
      ]);
      expect(target.autoPipelineQueueSize, 'sendNow queued its command on the auto-pipeline').toBe(0);
      // utf8 strings, as the ordinary API answers; the client's keyPrefix applied.
      expect(await reply).toEqual(['A', 'B', null]);
    });

    it(`${mode}: the client's keyPrefix applies to what sendNow writes`, async () => {
      const prefix = uniquePrefix('send-now');
      const target = await client(autoPipelining, prefix);
      await sendNow(target, 'set', ['k', 'value']);
      expect(await redis.admin.get(`${prefix}k`), 'the keyPrefix was not applied on the direct path').toBe(
        'value',
      );
      expect(await sendNow(target, 'get', ['k'])).toBe('value');
    });
  }

  it('autoPipelineQueueSize counts a queued auto-pipelined command, and sendNow then never overtakes it', async () => {
    const target = await client(true);
    const write = target.set('k', 'written first');
    expect(
      target.autoPipelineQueueSize,
      'ioredis no longer reports queued auto-pipelined commands: sendNow could overtake them',
    ).toBe(1);
    const read = sendNow(target, 'get', ['k']);
    expect(await read, 'sendNow overtook a command queued on the auto-pipeline').toBe('written first');
    await write;

    // The same for a batch read while several writes are queued.
    const writes = [target.set('x', '1'), target.set('y', '2')];
    expect(await sendNow(target, 'mget', ['x', 'y'])).toEqual(['1', '2']);
    await Promise.all(writes);
  });

  it('replies and errors come back as from the ordinary API (EVALSHA of an unknown script: NOSCRIPT)', async () => {
    const target = await client(false);
    await expect(sendNow(target, 'evalsha', ['0'.repeat(40), 0])).rejects.toThrow(/^NOSCRIPT/);
    const sha = (await target.script('LOAD', 'return {ARGV[1], KEYS[1]}')) as string;
    expect(await sendNow(target, 'evalsha', [sha, 1, 'key', 'arg'])).toEqual([
      'arg',
      `${target.options.keyPrefix}key`,
    ]);
  });
});
