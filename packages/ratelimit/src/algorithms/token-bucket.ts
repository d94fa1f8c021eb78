import type { Policy } from '../types.js';
import type { AlgorithmScript, BucketOptions } from './algorithm.js';
import { checkedPolicy } from './algorithm.js';

/**
 * Token bucket: holds up to `burst` tokens and gains one every `windowMs / limit`
 * (in whole tokens, integer microseconds of Redis time). State is one hash
 * `{ t: tokens, ts: time (µs) the last whole token was added, x: the key's expiry (ms) }`;
 * an absent key is a full bucket, so the key must live until the bucket would be full
 * again. It may live a little longer (its state then reads as full anyway): when a
 * consumption moves the full time past the expiry, the expiry goes to the full time plus
 * an eighth of the window, so most consumptions write the tokens only, without a
 * PEXPIREAT. A key written before `x` existed gets its expiry at its next consumption.
 */
export const TOKEN_BUCKET: AlgorithmScript = {
  algorithm: 'token-bucket',
  code: 'tb',
  keySuffixes: ['tb'],
  lua: `
local function tb_state(k, limit, window, burst, now_us)
  local step = math.ceil(window * 1000 / limit)
  local v = redis.call('HMGET', k[1], 't', 'ts', 'x')
  local tokens, ts = tonumber(v[1]), tonumber(v[2])
  if not tokens or not ts then tokens, ts = burst, now_us end
  if ts > now_us then ts = now_us end
  local add = math.floor((now_us - ts) / step)
  tokens, ts = tokens + add, ts + add * step
  if tokens >= burst then tokens, ts = burst, now_us end
  return tokens, ts, step, tonumber(v[3]) or 0
end
local function tb_full_in(tokens, ts, step, burst, now_us)
  if tokens >= burst then return 0 end
  return math.ceil(((burst - tokens) * step - (now_us - ts)) / 1000)
end
ALG.tb = {
  nkeys = 1,
  eval = function(k, limit, window, burst, cost, now, now_us)
    local tokens, ts, step, expiry = tb_state(k, limit, window, burst, now_us)
    if tokens >= cost then
      local left = tokens - cost
      local reset = tb_full_in(left, ts, step, burst, now_us)
      local full_at, later = now + math.max(1, reset), nil
      if full_at > expiry then later = full_at + math.ceil(window / 8) end
      return true, left, reset, 0, left, ts, later
    end
    local retry = -1
    if cost <= burst then retry = math.ceil(((cost - tokens) * step - (now_us - ts)) / 1000) end
    return false, tokens, tb_full_in(tokens, ts, step, burst, now_us), retry
  end,
  commit = function(k, _window, left, ts, later)
    if later then
      redis.call('HSET', k[1], 't', num(left), 'ts', num(ts), 'x', num(later))
      redis.call('PEXPIREAT', k[1], num(later))
    else
      redis.call('HSET', k[1], 't', num(left), 'ts', num(ts))
    end
  end,
  refund = function(k, limit, window, burst, cost, now, now_us)
    if redis.call('EXISTS', k[1]) == 0 then return end
    local tokens, ts, step = tb_state(k, limit, window, burst, now_us)
    tokens = math.min(burst, tokens + cost)
    local reset = tb_full_in(tokens, ts, step, burst, now_us)
    if reset <= 0 then redis.call('DEL', k[1]) return end
    redis.call('HSET', k[1], 't', num(tokens), 'ts', num(ts), 'x', num(now + reset))
    redis.call('PEXPIREAT', k[1], num(now + reset))
  end,
}
`,
};

/** A bucket of `burst` tokens (default `limit`) refilled at `limit` tokens per `windowMs`. */
export function tokenBucket(options: BucketOptions): Policy {
  return checkedPolicy({ ...options, algorithm: 'token-bucket' });
}
