import type { ScriptDefinition } from '@rnh/redis-client';
import type { PublishCommand } from '../feed/scripts.js';

// Every presence key and channel is `<base>:...` where base holds the hash tag {presence}: one
// Cluster slot, so each change (a user's connections, the online set, their organizations' sets,
// the announcements, SPUBLISH on a Cluster) is one atomic script. Scores are expiry times in
// milliseconds of Redis's clock. `publish` below is PUBLISH, or SPUBLISH on a Cluster.

const NOW = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/** Takes `user` off every set and tells their organizations. Needs base, user, channel prefix, now. */
const GO_OFFLINE = `
local function go_offline(online, base, user, channel)
  local orgs_key = base .. ':orgs:' .. user
  local orgs = redis.call('SMEMBERS', orgs_key)
  local removed = redis.call('ZREM', online, user)
  for _, org in ipairs(orgs) do
    redis.call('ZREM', base .. ':org:' .. org, user)
    if removed == 1 then
      redis.call(publish, channel .. org, cjson.encode({ userId = user, online = false }))
    end
  end
  redis.call('DEL', orgs_key, base .. ':conns:' .. user)
  return removed
end
`;

/** The latest expiry among `user`'s live connections, or nil. */
const LATEST_CONNECTION = `
local function latest_connection(base, user, now)
  local conns = base .. ':conns:' .. user
  redis.call('ZREMRANGEBYSCORE', conns, '-inf', now)
  local top = redis.call('ZRANGE', conns, '+inf', '(' .. now, 'BYSCORE', 'REV', 'LIMIT', 0, 1, 'WITHSCORES')
  if #top == 0 then return nil end
  return top[2]
end
`;

/**
 * Adds or renews one connection. KEYS: online set. ARGV: base, user, connection, ttl ms,
 * limit (0: none), channel prefix, organization ids...
 * Returns -1 (refused: the user has `limit` live connections), 1 (the user came online) or 0.
 */
const CONNECT: ScriptDefinition = {
  name: 'realtime_presence_connect',
  keys: 1,
  lua: `${NOW}
local base, user, conn, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[6]
local ttl, limit = tonumber(ARGV[4]), tonumber(ARGV[5])
local conns = base .. ':conns:' .. user
redis.call('ZREMRANGEBYSCORE', conns, '-inf', now)
if limit > 0 and not redis.call('ZSCORE', conns, conn) and redis.call('ZCARD', conns) >= limit then return -1 end
local expires = now + ttl
redis.call('ZADD', conns, expires, conn)
redis.call('PEXPIRE', conns, ttl)
local score = redis.call('ZSCORE', KEYS[1], user)
local was_online = score and tonumber(score) > now
redis.call('ZADD', KEYS[1], 'GT', expires, user)
local orgs_key = base .. ':orgs:' .. user
for i = 7, #ARGV do
  redis.call('SADD', orgs_key, ARGV[i])
  redis.call('ZADD', base .. ':org:' .. ARGV[i], 'GT', expires, user)
end
-- Kept past the user's expiry: the sweep needs it to take them off their organizations' sets.
redis.call('PEXPIRE', orgs_key, ttl * 3)
if was_online then return 0 end
for _, org in ipairs(redis.call('SMEMBERS', orgs_key)) do
  redis.call(publish, channel .. org, cjson.encode({ userId = user, online = true }))
end
return 1
`,
};

/**
 * Removes one connection. KEYS: online set. ARGV: base, user, connection, channel prefix.
 * Returns 1 when it was the user's last live connection (they went offline), else 0.
 */
const DISCONNECT: ScriptDefinition = {
  name: 'realtime_presence_disconnect',
  keys: 1,
  lua: `${NOW}${GO_OFFLINE}${LATEST_CONNECTION}
local base, user, channel = ARGV[1], ARGV[2], ARGV[4]
redis.call('ZREM', base .. ':conns:' .. user, ARGV[3])
local latest = latest_connection(base, user, now)
if latest then
  -- Still online elsewhere, until that connection's expiry.
  redis.call('ZADD', KEYS[1], 'XX', latest, user)
  for _, org in ipairs(redis.call('SMEMBERS', base .. ':orgs:' .. user)) do
    redis.call('ZADD', base .. ':org:' .. org, 'XX', latest, user)
  end
  return 0
end
return go_offline(KEYS[1], base, user, channel)
`,
};

/**
 * Takes users whose connections all expired (their process died) offline. KEYS: online set.
 * ARGV: base, channel prefix, batch size. Returns the users that went offline.
 */
const SWEEP: ScriptDefinition = {
  name: 'realtime_presence_sweep',
  keys: 1,
  lua: `${NOW}${GO_OFFLINE}${LATEST_CONNECTION}
local base, channel = ARGV[1], ARGV[2]
local gone = {}
for _, user in ipairs(redis.call('ZRANGE', KEYS[1], '-inf', now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))) do
  local latest = latest_connection(base, user, now)
  if latest then
    redis.call('ZADD', KEYS[1], 'XX', latest, user)
  elseif go_offline(KEYS[1], base, user, channel) == 1 then
    table.insert(gone, user)
  end
end
return gone
`,
};

/**
 * Reads a presence set (the online set or an organization's). KEYS: the set. ARGV: what
 * (`is` user | `count` | `list` offset limit). Only members whose expiry is after now count,
 * so a user whose process died is offline at once, before the sweep takes them off.
 */
export const QUERY: ScriptDefinition = {
  name: 'realtime_presence_query',
  keys: 1,
  lua: `${NOW}
if ARGV[1] == 'is' then
  local score = redis.call('ZSCORE', KEYS[1], ARGV[2])
  if score and tonumber(score) > now then return 1 end
  return 0
end
if ARGV[1] == 'count' then return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf') end
return redis.call('ZRANGE', KEYS[1], '(' .. now, '+inf', 'BYSCORE', 'LIMIT', tonumber(ARGV[2]), tonumber(ARGV[3]))
`,
};

/** The scripts that announce changes, publishing with `publish` (SPUBLISH on a Cluster). */
export function announcingScripts(
  publish: PublishCommand,
): Record<'connect' | 'disconnect' | 'sweep', ScriptDefinition> {
  const withPublish = (script: ScriptDefinition): ScriptDefinition => ({
    name: publish === 'SPUBLISH' ? `${script.name}_sharded` : script.name,
    keys: script.keys,
    lua: `local publish = '${publish}'\n${script.lua}`,
  });
  return { connect: withPublish(CONNECT), disconnect: withPublish(DISCONNECT), sweep: withPublish(SWEEP) };
}
