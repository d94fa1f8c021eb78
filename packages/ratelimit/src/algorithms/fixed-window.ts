import type { Policy } from '../types.js';
import type { AlgorithmScript, WindowOptions } from './algorithm.js';
import { checkedPolicy } from './algorithm.js';

/**
 * Fixed window: a counter that starts with the first request of a key and covers
 * `windowMs` from then (so keys do not all reset at the same instant). State is one
 * hash `{ s: window start ms, n: units used }`, expiring at the window's end.
 */
export const FIXED_WINDOW: AlgorithmScript = {
  algorithm: 'fixed-window',
  code: 'fw',
  keySuffixes: ['fw'],
  lua: `
ALG.fw = {
  nkeys = 1,
  -- A new window (or a start ahead of Redis time) writes the start and the expiry; a
  -- request inside the current window only updates the count (the expiry stays).
  eval = function(k, limit, window, _burst, cost, now)
    local v = redis.call('HMGET', k[1], 's', 'n')
    local s, n = tonumber(v[1]), tonumber(v[2]) or 0
    local fresh = false
    if not s or now >= s + window then s, n, fresh = now, 0, true end
    -- A start ahead of Redis time (a failover to a server whose clock is behind): from now.
    if s > now then s, fresh = now, true end
    local used = n + cost
    if used <= limit then
      local reset = 0
      if used > 0 then reset = s + window - now end
      return true, limit - used, reset, 0, s, used, fresh
    end
    local reset = 0
    if n > 0 then reset = s + window - now end
    local retry = s + window - now
    if cost > limit then retry = -1 end
    return false, math.max(0, limit - n), reset, retry
  end,
  commit = function(k, window, s, used, fresh)
    if fresh then
      redis.call('HSET', k[1], 's', num(s), 'n', num(used))
      redis.call('PEXPIREAT', k[1], num(s + window))
    else
      redis.call('HSET', k[1], 'n', num(used))
    end
  end,
  refund = function(k, _limit, window, _burst, cost, now, _now_us, at)
    local v = redis.call('HMGET', k[1], 's', 'n')
    local s, n = tonumber(v[1]), tonumber(v[2])
    -- Only within the window the refunded request was counted in.
    if not s or not n or s > at or now >= s + window then return end
    redis.call('HSET', k[1], 'n', num(math.max(0, n - cost)))
  end,
}
`,
};

/** `limit` units per `windowMs`, the window starting at a key's first request. */
export function fixedWindow(options: WindowOptions): Policy {
  return checkedPolicy({ ...options, algorithm: 'fixed-window' });
}
