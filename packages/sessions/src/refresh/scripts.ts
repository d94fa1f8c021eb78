import type { ScriptDefinition } from '@rnh/redis-client';

/**
 * Starts a family with its first token. Times are Redis time, in ms.
 * KEYS: family hash. ARGV: userId, hash of the first secret, ttl ms, family max age ms.
 * Family hash: u (userId), cur (hash of the current secret), exp (its expiry), end (the family's deadline:
 * creation + max age; no rotation goes past it). Returns exp (string).
 */
export const ISSUE_REFRESH: ScriptDefinition = {
  name: 'rnh:refresh:issue',
  keys: 1,
  lua: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local deadline = now + tonumber(ARGV[4])
local exp = math.min(now + tonumber(ARGV[3]), deadline)
redis.call('HSET', KEYS[1], 'u', ARGV[1], 'cur', ARGV[2], 'exp', string.format('%.0f', exp),
  'end', string.format('%.0f', deadline))
redis.call('PEXPIRE', KEYS[1], exp - now)
return string.format('%.0f', exp)
`,
};

/**
 * One rotation step on a family's keys (both tagged `{familyId}`).
 * KEYS: family hash, used list. ARGV: presented hash, new nonce, successor hash, grace ms, ttl ms, history cap,
 * family max age ms.
 * Family hash: u (userId), cur (hash of the current secret), exp (its expiry, ms), end (the family's deadline, ms),
 * prev (hash of the token rotated away last), pn (the nonce that derived cur from prev), pat (when, Redis ms).
 * A rotation's expiry is min(now + ttl, end): a family never outlives its deadline. A family written before
 * deadlines existed gets one of now + max age at its next rotation.
 * Returns {'rotated', userId, nonce, exp} | {'grace', userId, nonce, exp} | {'reuse', userId} | {'unknown'} | {'gone'}.
 */
export const ROTATE_REFRESH: ScriptDefinition = {
  name: 'rnh:refresh:rotate',
  keys: 2,
  lua: `
local f = redis.call('HMGET', KEYS[1], 'u', 'cur', 'prev', 'pn', 'pat', 'exp', 'end')
if not f[1] then return {'gone'} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local deadline = tonumber(f[7])
if not deadline then
  deadline = now + tonumber(ARGV[7])
  redis.call('HSET', KEYS[1], 'end', string.format('%.0f', deadline))
end
if now >= deadline then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {'gone'}
end
if ARGV[1] == f[2] then
  if f[3] then
    redis.call('LPUSH', KEYS[2], f[3])
    redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[6]) - 1)
  end
  local exp = math.min(now + tonumber(ARGV[5]), deadline)
  redis.call('HSET', KEYS[1], 'cur', ARGV[3], 'prev', ARGV[1], 'pn', ARGV[2], 'pat', now,
    'exp', string.format('%.0f', exp))
  redis.call('PEXPIRE', KEYS[1], exp - now)
  redis.call('PEXPIRE', KEYS[2], exp - now)
  return {'rotated', f[1], ARGV[2], exp}
end
if f[3] and ARGV[1] == f[3] then
  local grace = tonumber(ARGV[4])
  if grace > 0 and now - tonumber(f[5]) <= grace then return {'grace', f[1], f[4], tonumber(f[6])} end
  redis.call('DEL', KEYS[1], KEYS[2])
  return {'reuse', f[1]}
end
if redis.call('LPOS', KEYS[2], ARGV[1]) then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {'reuse', f[1]}
end
return {'unknown'}
`,
};

/**
 * Deletes a family (every token of it stops working), optionally only when it belongs to `owner`.
 * KEYS: family hash, used list. ARGV: owner userId or ''. Returns the family's userId, or '' when nothing was deleted.
 */
export const REVOKE_FAMILY: ScriptDefinition = {
  name: 'rnh:refresh:revoke-family',
  keys: 2,
  lua: `
local u = redis.call('HGET', KEYS[1], 'u')
if not u then return '' end
if ARGV[1] ~= '' and u ~= ARGV[1] then return '' end
redis.call('DEL', KEYS[1], KEYS[2])
return u
`,
};

/**
 * Deletes the family of a presented token (a client signing out), when the token is, or was, one of its
 * tokens: the current one, the one rotated away last, or one in the reuse history.
 * KEYS: family hash, used list. ARGV: presented hash. Returns the family's userId, or '' when nothing was deleted.
 */
export const REVOKE_BY_TOKEN: ScriptDefinition = {
  name: 'rnh:refresh:revoke-by-token',
  keys: 2,
  lua: `
local f = redis.call('HMGET', KEYS[1], 'u', 'cur', 'prev')
if not f[1] then return '' end
if ARGV[1] == f[2] or ARGV[1] == f[3] or redis.call('LPOS', KEYS[2], ARGV[1]) then
  redis.call('DEL', KEYS[1], KEYS[2])
  return f[1]
end
return ''
`,
};
