import type { Policy } from '../types.js';
import type { AlgorithmScript, BucketOptions } from './algorithm.js';
import { checkedPolicy } from './algorithm.js';

/**
 * GCRA (generic cell rate algorithm): one value per key, the theoretical arrival
 * time (TAT, integer microseconds of Redis time). Each unit moves it by the emission
 * interval `windowMs / limit`; a request passes when `TAT + cost * interval - burst * interval <= now`.
 * The key expires at the TAT, when the full burst is available again.
 */
export const GCRA: AlgorithmScript = {
  algorithm: 'gcra',
  code: 'gc',
  keySuffixes: ['gc'],
  lua: `
ALG.gc = {
  nkeys = 1,
  eval = function(k, limit, window, burst, cost, _now, now_us)
    local step = math.ceil(window * 1000 / limit)
    local tau = burst * step
    local tat = tonumber(redis.call('GET', k[1])) or now_us
    if tat < now_us then tat = now_us end
    local new_tat = tat + cost * step
    local allow_at = new_tat - tau
    if allow_at <= now_us then
      local reset = math.ceil((new_tat - now_us) / 1000)
      return true, math.floor((now_us - allow_at) / step), reset, 0, new_tat, reset
    end
    local retry = -1
    if cost <= burst then retry = math.ceil((allow_at - now_us) / 1000) end
    local remaining = math.max(0, math.floor((tau - (tat - now_us)) / step))
    return false, remaining, math.ceil((tat - now_us) / 1000), retry
  end,
  commit = function(k, _window, new_tat, reset)
    redis.call('SET', k[1], num(new_tat), 'PX', num(math.max(1, reset)))
  end,
  refund = function(k, limit, window, _burst, cost, _now, now_us)
    local tat = tonumber(redis.call('GET', k[1]))
    if not tat then return end
    tat = tat - cost * math.ceil(window * 1000 / limit)
    if tat <= now_us then redis.call('DEL', k[1]) return end
    redis.call('SET', k[1], num(tat), 'PX', num(math.ceil((tat - now_us) / 1000)))
  end,
}
`,
};

/** `limit` units per `windowMs`, evenly spaced, with bursts of up to `burst` (default `limit`). */
export function gcra(options: BucketOptions): Policy {
  return checkedPolicy({ ...options, algorithm: 'gcra' });
}
