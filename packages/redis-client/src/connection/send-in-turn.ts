import { context, type Context } from '@opentelemetry/api';
import type { Command, Redis } from 'ioredis';
import { TurnBatcher } from '../batching/turn-batcher.js';
import type { RedisClient } from '../types.js';
import { commandClassFor, directCommand } from './send-now.js';

// A batch this large is written at once; the rest of the turn starts another.
const MAX_BATCH = 128;

interface Pending {
  command: Command;
  /** The caller's context, restored around its send: spans and exemplars belong to the caller. */
  context: Context;
}

class TurnWrite {
  readonly pending: Pending[] = [];
  get size(): number {
    return this.pending.length;
  }
}

/** Each client's writer (null: its Command class was not found, so it always takes the ordinary API). */
const writers = new WeakMap<RedisClient, TurnBatcher<TurnWrite> | null>();

/**
 * Sends one command with the others sent this way in the same event-loop turn: at the
 * turn's check phase they go to the client's own `sendCommand` (so through its
 * instrumentation, each in its caller's OpenTelemetry context) while the socket is
 * corked, so that the whole batch is one socket write. This is what ioredis's
 * auto-pipelining does, without its Pipeline objects, whose cost and retained replies
 * dominated small commands on the shared connection (an HMGET per HTTP request: 15
 * against 9 µs of CPU per call, most of it young-generation GC and string writes). For
 * commands that are not batches of their own: one key's read, one TTL refresh.
 *
 * Order: these commands keep their order among themselves, and never overtake a command
 * queued on the auto-pipeline before them (while one is, they join it through the
 * ordinary API, as sendNow does). A command sent through the ordinary API after one of
 * them, in the same turn, may be written first when it is not auto-pipelined; use this
 * for commands whose order against unrelated concurrent commands does not matter. On a
 * Cluster (routed by slot), and when the client's Command class cannot be found, it is
 * the ordinary API. The client's `keyPrefix` applies either way.
 */
export function sendInTurn(
  redis: RedisClient,
  commandName: string,
  args: Array<string | number>,
): Promise<unknown> {
  const writer = writerFor(redis as Redis);
  const command = writer === null ? null : directCommand(redis, commandName, args);
  if (writer === null || command === null) return redis.call(commandName, ...args);
  const batch = writer.current();
  batch.pending.push({ command, context: context.active() });
  writer.added(batch);
  return command.promise;
}

function writerFor(client: Redis): TurnBatcher<TurnWrite> | null {
  let writer = writers.get(client);
  if (writer === undefined) {
    writer =
      commandClassFor(client) === null
        ? null
        : new TurnBatcher(
            MAX_BATCH,
            () => new TurnWrite(),
            (batch) => write(client, batch),
          );
    writers.set(client, writer);
  }
  return writer;
}

function write(client: Redis, batch: TurnWrite): void {
  // Corked, the socket keeps what sendCommand writes and hands it over in one writev on uncork.
  const stream = client.stream as { cork?: () => void; uncork?: () => void } | undefined;
  const cork = typeof stream?.cork === 'function' && typeof stream.uncork === 'function';
  if (cork) stream.cork!();
  try {
    const current = context.active();
    for (const { command, context: caller } of batch.pending) {
      try {
        if (caller === current) client.sendCommand(command);
        else context.with(caller, () => client.sendCommand(command));
      } catch (error) {
        // Not sent: its caller must hear of it rather than wait forever.
        command.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  } finally {
    if (cork) stream.uncork!();
  }
}
