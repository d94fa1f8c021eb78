import type { Policy } from '../types.js';
import type { AlgorithmScript, WindowOptions } from './algorithm.js';
import { checkedPolicy } from './algorithm.js';

/**
 * Sliding window, the weighted two-window counter: windows are aligned to Redis
 * time (`floor(now / windowMs)`), and the estimate is
 * `previous * (time left in the current window / windowMs) + current`.
 * Two keys (this algorithm's two slots, used by window parity), each a hash
 * `{ w: window index, n: units }`; a slot holding another window counts as 0, so
 * nothing is rotated. All math is integer (both sides multiplied by windowMs).
 */
export const SLIDING_WINDOW: AlgorithmScript = {
  algorithm: 'sliding-window',
  code: 'sw',
  keySuffixes: ['sw0', 'sw1'],
  lua: `
ALG.sw = {
  nkeys = 2,
  eval = function(k, limit, window, _burst, cost, now)
    local idx = math.floor(now / window)
    local rest = (idx + 1) * window - now
    local ck, pk = k[idx % 2 + 1], k[(idx + 1) % 2 + 1]
    local c = redis.call('HMGET', ck, 'w', 'n')
    local p = redis.call('HMGET', pk, 'w', 'n')
    local same = tonumber(c[1]) == idx
    local cur = (same and tonumber(c[2])) or 0
    local prev = (tonumber(p[1]) == idx - 1 and tonumber(p[2])) or 0
    local cap = limit * window
    local n2 = cur + cost
    if prev * rest + n2 * window <= cap then
      local reset = 0
      if n2 > 0 then reset = rest + window elseif prev > 0 then reset = rest end
      return true, math.floor((cap - prev * rest - n2 * window) / window), reset, 0, idx, n2, not same
    end
    local retry
    local room = limit - cur - cost
    if cost > limit then
      retry = -1
    elseif room >= 0 then
      -- Within this window, once the previous window's weight has dropped enough.
      retry = rest - math.floor(room * window / prev)
    else
      -- In the next window, where this window's count becomes the weighted one.
      retry = rest + math.max(0, window - math.floor((limit - cost) * window / cur))
    end
    local reset = 0
    if cur > 0 then reset = rest + window elseif prev > 0 then reset = rest end
    return false, math.max(0, math.floor((cap - prev * rest - cur * window) / window)), reset, retry
  end,
  -- A slot taken over by a new window gets its index and expiry; the current window's slot only its count.
  commit = function(k, window, idx, n2, fresh)
    local ck = k[idx % 2 + 1]
    if fresh then
      redis.call('HSET', ck, 'w', num(idx), 'n', num(n2))
      redis.call('PEXPIREAT', ck, num((idx + 2) * window))
    else
      redis.call('HSET', ck, 'n', num(n2))
    end
  end,
  refund = function(k, _limit, window, _burst, cost, _now, _now_us, at)
    local idx = math.floor(at / window)
    local key = k[idx % 2 + 1]
    local v = redis.call('HMGET', key, 'w', 'n')
    local n = tonumber(v[2])
    -- Only while the slot still holds the window the refunded request was counted in.
    if tonumber(v[1]) ~= idx or not n then return end
    redis.call('HSET', key, 'n', num(math.max(0, n - cost)))
  end,
}
`,
};

/** About `limit` units per any `windowMs` span (the weighted two-window estimate). */
export function slidingWindow(options: WindowOptions): Policy {
  return checkedPolicy({ ...options, algorithm: 'sliding-window' });
}
