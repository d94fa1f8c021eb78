import type { ScriptDefinition } from '@rnh/redis-client';

/**
 * Records (or refreshes) a session in its user's index with lastSeenAt = Redis
 * time, unless the index says it was revoked (a marker for the sid, or created
 * at or before the user's revoke cutoff and not the session kept by revokeOthers).
 * KEYS: entries, revoked. ARGV: sid, userAgent|'', ipPrefix|'', createdAt ms, session created µs, retention ms.
 * Returns 1 when recorded, 0 when revoked.
 */
export const RECORD_SESSION: ScriptDefinition = {
  name: 'rnh:sessions:index-record',
  keys: 2,
  lua: `
local r = redis.call('HMGET', KEYS[2], 's:' .. ARGV[1], '*', '+')
if r[1] then return 0 end
if r[2] and r[3] ~= ARGV[1] and tonumber(ARGV[5]) <= tonumber(r[2]) then return 0 end
local t = redis.call('TIME')
local entry = { createdAt = tonumber(ARGV[4]), lastSeenAt = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) }
if ARGV[2] ~= '' then entry.userAgent = ARGV[2] end
if ARGV[3] ~= '' then entry.ipPrefix = ARGV[3] end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
`,
};

/**
 * Revocation bookkeeping on the user's slot. Mode `all` sets the cutoff to now
 * (every session created up to now is revoked); `others` also names the session
 * to keep. Then removes index entries: the first `n` sids also get a marker.
 * KEYS: entries, revoked. ARGV: retention ms, mode (''|'all'|'others'), keep sid, n, sids...
 * Returns the Redis time used (µs, a string).
 */
export const MARK_REVOKED: ScriptDefinition = {
  name: 'rnh:sessions:index-revoke',
  keys: 2,
  lua: `
local t = redis.call('TIME')
local now_us = t[1] .. string.format('%06d', tonumber(t[2]))
if ARGV[2] == 'all' then
  redis.call('HSET', KEYS[2], '*', now_us)
  redis.call('HDEL', KEYS[2], '+')
elseif ARGV[2] == 'others' then
  redis.call('HSET', KEYS[2], '*', now_us, '+', ARGV[3])
end
local marked = tonumber(ARGV[4])
for i = 5, #ARGV do
  redis.call('HDEL', KEYS[1], ARGV[i])
  if i < 5 + marked then redis.call('HSET', KEYS[2], 's:' .. ARGV[i], now_us) end
end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
return now_us
`,
};

/**
 * Removes index entries that were seen dead, but only while each still holds the
 * value that was read (compare-and-delete): an entry that `record` rewrote in the
 * meantime (a live session, lastSeenAt moved) stays. Used by `list` and `prune`.
 * KEYS: entries. ARGV: sid1, value1, sid2, value2, ...
 * Returns {removed, entries left} (Redis deletes the hash when none are left).
 */
export const REMOVE_DEAD_ENTRIES: ScriptDefinition = {
  name: 'rnh:sessions:index-remove-dead',
  keys: 1,
  lua: `
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then n = n + redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return {n, redis.call('HLEN', KEYS[1])}
`,
};
