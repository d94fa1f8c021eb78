import type { Command } from 'ioredis';
import type { RedisClient } from '../types.js';

/** ioredis' Command constructor, to build a command and hand it to `client.sendCommand()` directly. */
export type CommandClass = new (
  name: string,
  args: Array<string | number>,
  options: { replyEncoding: 'utf8'; keyPrefix: string | undefined },
) => Command;

/**
 * The ioredis Command class of `client`, so a package needs no ioredis of its own and
 * always builds commands of the client's own version (used where a batch is written at
 * once instead of waiting for auto-pipelining). `Redis.Command` is not reachable from an
 * instance (ioredis' EventEmitter mixin overwrites `constructor`), so it is taken from a
 * command built by a pipeline of the client that is never executed (its sendCommand is
 * replaced: nothing is queued or sent). Undefined when not found.
 */
export function commandClassOf(client: RedisClient): CommandClass | undefined {
  try {
    const probe = client.pipeline() as unknown as {
      sendCommand(command: object): unknown;
      get(key: string): unknown;
    };
    let found: unknown;
    probe.sendCommand = (command) => {
      found = command.constructor;
      return undefined;
    };
    probe.get('rnh-command-probe');
    return typeof found === 'function' ? (found as CommandClass) : undefined;
  } catch {
    return undefined;
  }
}
