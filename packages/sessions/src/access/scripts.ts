import type { ScriptDefinition } from '@rnh/redis-client';

/**
 * Revokes every access token of a user issued so far: the user's generation
 * becomes Redis time in ms (or one more than before, should the clock have gone
 * back), and a token is valid only while its generation is >= the current one.
 * Because each new generation is larger than every earlier one, the key may
 * expire once every token it revoked has expired; a later bump still revokes
 * tokens stamped with an older generation. The invalidation is published from
 * the script, so the write and the message to other processes cannot part.
 * KEYS: generation key. ARGV: key TTL ms, channel, message. Returns the new generation (string).
 */
export const BUMP_GENERATION: ScriptDefinition = {
  name: 'rnh:access:bump-generation',
  keys: 1,
  lua: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local generation = string.format('%.0f', math.max(current + 1, now))
redis.call('SET', KEYS[1], generation, 'PX', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return generation
`,
};

/**
 * Marks one refresh family's access tokens revoked and tells the other processes.
 * KEYS: family marker key. ARGV: key TTL ms, channel, message.
 */
export const MARK_FAMILY_REVOKED: ScriptDefinition = {
  name: 'rnh:access:revoke-family',
  keys: 1,
  lua: `
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
`,
};
