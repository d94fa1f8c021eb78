import type { RedisClient } from '@rnh/redis-client';
import type { Command } from 'ioredis';

export type CommandClass = new (
  name: string,
  args: Array<string | number>,
  options: { replyEncoding: 'utf8'; keyPrefix: string | undefined },
) => Command;

/**
 * The ioredis Command class of `redis` (as @rnh/cache's read batcher finds it): taken
 * from a command built by a pipeline of the client that is never executed (its
 * sendCommand is replaced: nothing is queued or sent). Undefined when not found.
 */
export function commandClassOf(redis: RedisClient): CommandClass | undefined {
  try {
    const probe = redis.pipeline() as unknown as {
      sendCommand(command: object): unknown;
      get(key: string): unknown;
    };
    let found: unknown;
    probe.sendCommand = (command) => {
      found = command.constructor;
      return undefined;
    };
    probe.get('rnh-ratelimit-probe');
    return typeof found === 'function' ? (found as CommandClass) : undefined;
  } catch {
    return undefined;
  }
}
