import { RedisScript, type RedisClient } from '@rnh/redis-client';
import type { DeadJob, DeadLetterPolicy } from '../types.js';
import type { QueueKeys } from './names.js';

// Takes the job out of BullMQ's failed set and adds its dead entry in one step, so
// of two movers (the failed event and a sweep) exactly one moves it, and a job is
// never both failed and dead. Then trims the store by age and count. The score is
// Redis time. All keys share the queue's hash tag.
const MOVE_TO_DEAD = new RedisScript({
  name: 'queue_move_to_dead',
  keys: 3,
  lua: `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return {0, 0} end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[1])
local trimmed = 0
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - tonumber(ARGV[4])), 'LIMIT', 0, 500)
if #old > 0 then
  redis.call('ZREM', KEYS[2], unpack(old))
  redis.call('HDEL', KEYS[3], unpack(old))
  trimmed = #old
end
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if excess > 0 then
  if excess > 500 then excess = 500 end
  local ids = redis.call('ZRANGE', KEYS[2], 0, excess - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
  redis.call('HDEL', KEYS[3], unpack(ids))
  trimmed = trimmed + #ids
end
return {1, trimmed}
`,
});

/** The bounded dead-letter store of one queue: a sorted set (id -> time of death) and a hash (id -> entry). */
export class DeadLetterStore {
  constructor(
    private readonly keys: QueueKeys,
    private readonly policy: DeadLetterPolicy,
  ) {}

  /** Moves job `entry.id` out of `failedKey` and adds `entry`; false if the job was not there (moved already). */
  async add(
    client: RedisClient,
    failedKey: string,
    entry: DeadJob,
  ): Promise<{ added: boolean; trimmed: number }> {
    const [added, trimmed] = (await MOVE_TO_DEAD.run(
      client,
      [failedKey, this.keys.deadIndex, this.keys.deadEntries],
      [entry.id, JSON.stringify(entry), this.policy.maxEntries, this.policy.maxAgeMs],
    )) as [number, number];
    return { added: added === 1, trimmed };
  }

  async count(client: RedisClient): Promise<number> {
    return client.zcard(this.keys.deadIndex);
  }

  /** Newest first. */
  async list(client: RedisClient, offset: number, limit: number): Promise<DeadJob[]> {
    const ids = await client.zrevrange(this.keys.deadIndex, offset, offset + limit - 1);
    if (ids.length === 0) return [];
    const values = await client.hmget(this.keys.deadEntries, ...ids);
    return values.flatMap((value) => (value ? [JSON.parse(value) as DeadJob] : []));
  }

  async get(client: RedisClient, id: string): Promise<DeadJob | undefined> {
    const value = await client.hget(this.keys.deadEntries, id);
    return value ? (JSON.parse(value) as DeadJob) : undefined;
  }

  /** Removes the given entries (all when `ids` is undefined); answers how many there were. */
  async remove(client: RedisClient, ids?: readonly string[]): Promise<number> {
    if (ids && ids.length === 0) return 0;
    const transaction = client.multi();
    if (ids) {
      transaction.zrem(this.keys.deadIndex, ...ids).hdel(this.keys.deadEntries, ...ids);
    } else {
      transaction.zcard(this.keys.deadIndex).unlink(this.keys.deadIndex, this.keys.deadEntries);
    }
    const results = await transaction.exec();
    const first = results?.[0];
    if (!first || first[0]) throw first?.[0] ?? new Error('dead-letter transaction was discarded');
    return Number(first[1]);
  }
}
