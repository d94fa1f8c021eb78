import type { ScriptDefinition } from '@rnh/redis-client';

// Redis time helpers shared by the scripts. `now_us` is a 16-digit string (kept as a
// string: Lua would print a 16-digit number in %.14g and lose digits).
const NOW = `
local t = redis.call('TIME')
local now_us = t[1] .. string.format('%06d', tonumber(t[2]))
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Writes a session unless it was destroyed (tombstone). Keeps the creation time
 * of the first save and caps the TTL at the absolute lifetime from it. With an
 * activity interval (the store has an index and the session a user), says whether
 * the index is due to hear of the session: it is new, changed user, or its last
 * recorded activity `s` is older than the interval; then `s` becomes now.
 * KEYS: session, tombstone. ARGV: json, idle ttl ms, absolute ttl ms, userId or '', activity interval ms or ''.
 * Returns {1, isNew, created_us, previous userId, due (0|1)} | {0} (tombstone) | {-1, isNew, created_us, previous userId} (past its lifetime: deleted).
 */
export const SET_SESSION: ScriptDefinition = {
  name: 'rnh:sessions:set',
  keys: 2,
  lua: `
if redis.call('EXISTS', KEYS[2]) == 1 then return {0} end
${NOW}
local prev = redis.call('HMGET', KEYS[1], 'c', 'u', 's')
local created = prev[1]
local is_new = 0
if not created then created = now_us; is_new = 1 end
local previous_user = prev[2] or ''
local remaining = math.floor((tonumber(created) - tonumber(now_us)) / 1000) + tonumber(ARGV[3])
local ttl = math.min(tonumber(ARGV[2]), remaining)
if ttl <= 0 then
  redis.call('DEL', KEYS[1])
  return {-1, is_new, created, previous_user}
end
local due = 0
if ARGV[4] == '' then
  redis.call('HSET', KEYS[1], 'd', ARGV[1], 'c', created)
  if prev[2] or prev[3] then redis.call('HDEL', KEYS[1], 'u', 's') end
elseif ARGV[5] ~= '' and (is_new == 1 or previous_user ~= ARGV[4] or not tonumber(prev[3] or '')
    or now_ms - tonumber(prev[3]) >= tonumber(ARGV[5])) then
  due = 1
  redis.call('HSET', KEYS[1], 'd', ARGV[1], 'c', created, 'u', ARGV[4], 's', now_ms)
else
  redis.call('HSET', KEYS[1], 'd', ARGV[1], 'c', created, 'u', ARGV[4])
end
redis.call('PEXPIRE', KEYS[1], ttl)
return {1, is_new, created, previous_user, due}
`,
};

/**
 * Resets the idle TTL with PEXPIRE (no rewrite), capped at the absolute lifetime,
 * in Redis time. The store's touch uses it only when it cannot decide with one
 * PEXPIRE (no recent read of the session in this process, or near its end).
 * KEYS: session. ARGV: idle ttl ms, absolute ttl ms.
 * Returns 1 | 0 (no such session) | -1 (past its lifetime: deleted).
 */
export const TOUCH_SESSION: ScriptDefinition = {
  name: 'rnh:sessions:touch',
  keys: 1,
  lua: `
local created = redis.call('HGET', KEYS[1], 'c')
if not created then return 0 end
${NOW}
local remaining = math.floor((tonumber(created) - tonumber(now_us)) / 1000) + tonumber(ARGV[2])
local ttl = math.min(tonumber(ARGV[1]), remaining)
if ttl <= 0 then
  redis.call('DEL', KEYS[1])
  return -1
end
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`,
};

/**
 * Notes that the session's activity was just recorded (`s` = Redis time, ms), so
 * the reads of the next interval need not record it again; never creates a key.
 * KEYS: session. Returns 1, or 0 when the session is gone.
 */
export const MARK_SEEN: ScriptDefinition = {
  name: 'rnh:sessions:mark-seen',
  keys: 1,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 's', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
return 1
`,
};

/**
 * Deletes a session and leaves a tombstone. With an owner, only when the session
 * belongs to that user (and, with a cutoff, was created at or before it).
 * KEYS: session, tombstone. ARGV: tombstone ttl ms, owner userId or '', created-before µs or ''.
 * Returns {deleted (0|1), userId of the session or ''}.
 */
export const DESTROY_SESSION: ScriptDefinition = {
  name: 'rnh:sessions:destroy',
  keys: 2,
  lua: `
local f = redis.call('HMGET', KEYS[1], 'u', 'c')
if ARGV[2] ~= '' then
  if f[1] ~= ARGV[2] then return {0, f[1] or ''} end
  if ARGV[3] ~= '' and f[2] and tonumber(f[2]) > tonumber(ARGV[3]) then return {0, f[1]} end
end
local n = redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
return {n, f[1] or ''}
`,
};
