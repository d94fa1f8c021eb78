import type { Redis } from 'ioredis';
import type { RedisClient } from '../types.js';
import { commandClassOf, type CommandClass } from './command-class.js';

/** Each client's Command class, found once (null: not found, so that client always takes the ordinary API). */
const commandClasses = new WeakMap<RedisClient, CommandClass | null>();

export function commandClassFor(client: RedisClient): CommandClass | null {
  let Command = commandClasses.get(client);
  if (Command === undefined) {
    Command = commandClassOf(client) ?? null;
    commandClasses.set(client, Command);
  }
  return Command;
}

/**
 * Sends one command now and resolves with its reply (strings as utf8, as the ordinary
 * API answers). Meant for a command that is a batch already (e.g. an MGET or EVALSHA
 * carrying one event-loop turn's work): it is written to the connection at once, with
 * the client's own `sendCommand` (so still through its instrumentation), rather than
 * through ioredis's auto-pipelining, which would hold it back to the next setImmediate
 * and whose pipeline kept the replies reachable past young-generation GCs (measured
 * with a bare MGET batcher on the shared connection: 5.7 against 4.0 µs of CPU per
 * read, and a mark-compact every 300 ms against almost none).
 *
 * So that it never overtakes a command issued before it on the connection, it goes
 * through the ordinary API (`redis.call`, joining the auto-pipeline) whenever commands
 * are queued there; likewise on a Cluster (routed by slot), and when the client's
 * Command class cannot be found. The client's `keyPrefix` applies on either path, as it
 * would to the command called by name.
 *
 * This is the one place that relies on ioredis internals (its Command class,
 * `sendCommand`, `autoPipelineQueueSize`); test/send-now.int.test.ts checks each of them.
 */
export function sendNow(
  redis: RedisClient,
  commandName: string,
  args: Array<string | number>,
): Promise<unknown> {
  const command = directCommand(redis, commandName, args);
  if (command === null) return redis.call(commandName, ...args);
  (redis as Redis).sendCommand(command);
  return command.promise;
}

/**
 * The command to write directly with `sendCommand` (utf8 replies, the client's keyPrefix), or
 * null when it must take the ordinary API: commands are queued on the auto-pipeline (it must
 * not overtake them), the client is a Cluster (routed by slot), or its Command class is unknown.
 */
export function directCommand(
  redis: RedisClient,
  commandName: string,
  args: Array<string | number>,
): InstanceType<CommandClass> | null {
  const client = redis as Redis;
  if (client.autoPipelineQueueSize !== 0 || client.isCluster === true) return null;
  const Command = commandClassFor(redis);
  if (Command === null) return null;
  return new Command(commandName, args, { replyEncoding: 'utf8', keyPrefix: client.options.keyPrefix });
}
