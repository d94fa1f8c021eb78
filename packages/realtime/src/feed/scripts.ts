import type { ScriptDefinition } from '@rnh/redis-client';

/** PUBLISH, or SPUBLISH when the client is a Cluster (`publishCommandFor`). */
export type PublishCommand = 'PUBLISH' | 'SPUBLISH';

/**
 * Appends one event to a user's feed and announces it, atomically: the stream entry and the
 * pub/sub message carry the same id, and messages leave in the order of the ids, so a reader
 * can merge what it replays with what arrives live by comparing ids. On a Cluster the
 * announcement is an SPUBLISH: the channel is the feed key's name, so it hashes to the
 * script's own slot (which a script requires of a shard channel).
 * KEYS: feed. ARGV: max length, retention ms, channel, type, data (JSON), traceparent.
 */
export function publishEvent(publish: PublishCommand): ScriptDefinition {
  return {
    name: publish === 'SPUBLISH' ? 'realtime_publish_event_sharded' : 'realtime_publish_event',
    keys: 1,
    lua: `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 't', ARGV[4], 'd', ARGV[5], 'p', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('${publish}', ARGV[3], id .. '\\n' .. ARGV[4] .. '\\n' .. ARGV[6] .. '\\n' .. ARGV[5])
return id
`,
  };
}

/**
 * One page of the events after a cursor, the feed's newest id, and (when ARGV[3] is 1)
 * whether events after the cursor were trimmed away (Redis 7's XINFO STREAM tells the first
 * entry left, and the newest entry deleted by XDEL).
 * KEYS: feed. ARGV: cursor (exclusive), page size (0: only the newest id), check for a gap (0|1).
 * Returns { gap (0|1), newest id ('0-0' when the feed is empty), entries }.
 */
export const READ_FEED: ScriptDefinition = {
  name: 'realtime_read_feed',
  keys: 1,
  lua: `
local function before(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, '0-0', {}} end
local entries = {}
if ARGV[2] ~= '0' then entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2]) end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local newest, first, deleted = '0-0', '0-0', '0-0'
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then newest = info[i + 1] end
  if info[i] == 'recorded-first-entry-id' then first = info[i + 1] end
  if info[i] == 'max-deleted-entry-id' then deleted = info[i + 1] end
end
-- Trimming removes from the oldest end: a cursor before the first entry left lost its
-- successors (or, rarely, none: then the client reloads for nothing, which is safe).
local gap = 0
if ARGV[3] == '1' and ARGV[1] ~= '0-0' and (before(ARGV[1], first) or before(ARGV[1], deleted)) then gap = 1 end
return {gap, newest, entries}
`,
};
