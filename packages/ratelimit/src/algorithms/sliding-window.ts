import type { Policy } from '../types.js';
import type { AlgorithmScript, WindowOptions } from './algorithm.js';
import { checkedPolicy } from './algorithm.js';

/**
 * Sliding window, the weighted two-window counter: windows are aligned to Redis
 * time (`floor(now / windowMs)`), and the estimate is
 * `previous * (time left in the current window / windowMs) + current`.
 * State is one hash `{ w: current window index, n: its units, p: the previous window's
 * units }`, expiring when the window after `w` ends. A request inside window `w` writes
 * `n` only; the first one of a later window moves `n` to `p` (or drops both when a whole
 * window went by), and sets the expiry. All math is integer (both sides multiplied by windowMs).
 */
export const SLIDING_WINDOW: AlgorithmScript = {
  algorithm: 'sliding-window',
  code: 'sw',
  keySuffixes: ['sw'],
  lua: `
local function sw_counts(k, idx)
  local v = redis.call('HMGET', k[1], 'w', 'n', 'p')
  local w = tonumber(v[1])
  if w == idx then return w, tonumber(v[2]) or 0, tonumber(v[3]) or 0 end
  if w == idx - 1 then return w, 0, tonumber(v[2]) or 0 end
  return w, 0, 0
end
ALG.sw = {
  nkeys = 1,
  eval = function(k, limit, window, _burst, cost, now)
    local idx = math.floor(now / window)
    local rest = (idx + 1) * window - now
    local w, cur, prev = sw_counts(k, idx)
    local cap = limit * window
    local n2 = cur + cost
    if prev * rest + n2 * window <= cap then
      local reset = 0
      if n2 > 0 then reset = rest + window elseif prev > 0 then reset = rest end
      -- A new window carries the previous count over (a number: set); the current one does not (nil).
      local carried = nil
      if w ~= idx then carried = prev end
      return true, math.floor((cap - prev * rest - n2 * window) / window), reset, 0, idx, n2, carried
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
  commit = function(k, window, idx, n2, carried)
    if carried then
      redis.call('HSET', k[1], 'w', num(idx), 'n', num(n2), 'p', num(carried))
      redis.call('PEXPIREAT', k[1], num((idx + 2) * window))
    else
      redis.call('HSET', k[1], 'n', num(n2))
    end
  end,
  refund = function(k, _limit, window, _burst, cost, _now, _now_us, at)
    local idx = math.floor(at / window)
    local v = redis.call('HMGET', k[1], 'w', 'n', 'p')
    local w = tonumber(v[1])
    -- Only while the key still holds the window the refunded request was counted in.
    if w == idx and v[2] then
      redis.call('HSET', k[1], 'n', num(math.max(0, tonumber(v[2]) - cost)))
    elseif w == idx + 1 and v[3] then
      redis.call('HSET', k[1], 'p', num(math.max(0, tonumber(v[3]) - cost)))
    end
  end,
}
`,
};

/** About `limit` units per any `windowMs` span (the weighted two-window estimate). */
export function slidingWindow(options: WindowOptions): Policy {
  return checkedPolicy({ ...options, algorithm: 'sliding-window' });
}
