import { RedisScript } from '@rnh/redis-client';

/** GET plus PTTL in one round trip; PTTL is Redis's clock, so freshness never depends on the client clock. */
export const READ_ENTRY = new RedisScript({
  name: 'rnh-cache-read',
  keys: 1,
  lua: `
local v = redis.call('GET', KEYS[1])
if not v then return false end
return {v, redis.call('PTTL', KEYS[1])}
`,
});

/**
 * A tag's current token, created (ARGV[1], random) when missing; its lifetime is
 * stretched to at least ARGV[2] ms so it outlives every entry written with it.
 */
export const TAG_TOKEN = new RedisScript({
  name: 'rnh-cache-tag-token',
  keys: 1,
  lua: `
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
local t = redis.call('PTTL', KEYS[1])
if t >= 0 and t < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v
`,
});

/**
 * INCRBY whose TTL (ARGV[2] ms) is set when the counter is created and never pushed
 * forward; a counter found without a TTL (written by something else) gets one.
 */
export const INCREMENT = new RedisScript({
  name: 'rnh-cache-increment',
  keys: 1,
  lua: `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v
`,
});

/** UNLINK only when the value is still the one we read (so dropping a poisoned entry never removes a fresh write). */
export const DELETE_IF_EQUALS = new RedisScript({
  name: 'rnh-cache-delete-if-equals',
  keys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('UNLINK', KEYS[1]) end
return 0
`,
});
