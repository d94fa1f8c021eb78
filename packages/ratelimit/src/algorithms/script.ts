import { RedisScript } from '@rnh/redis-client';
import type { Algorithm, Policy } from '../types.js';
import type { AlgorithmScript } from './algorithm.js';
import { FIXED_WINDOW } from './fixed-window.js';
import { GCRA } from './gcra.js';
import { SLIDING_WINDOW } from './sliding-window.js';
import { TOKEN_BUCKET } from './token-bucket.js';

export const ALGORITHMS: Readonly<Record<Algorithm, AlgorithmScript>> = {
  'fixed-window': FIXED_WINDOW,
  'sliding-window': SLIDING_WINDOW,
  'token-bucket': TOKEN_BUCKET,
  gcra: GCRA,
};

// Shared prologue: Redis time (never the client's) in µs and ms, and integer formatting
// (Lua's default number formatting keeps 14 digits; µs timestamps have 16).
const PROLOGUE = `
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = math.floor(now_us / 1000)
local function num(x) return string.format('%.0f', x) end
local ALG = {}
`;

// ARGV: mode (c = consume, p = peek, r = refund), cost, at (ms, refunds), then per policy:
// algorithm code, limit, windowMs, burst. KEYS: each policy's keys in order.
// Reply: { now ms, all allowed 0|1, then per policy: allowed 0|1, remaining, reset ms, retry ms (-1 never) }.
// Consumption is recorded only when every policy allows (all or nothing).
// An algorithm's `eval` answers allowed, remaining, reset, retry and, when allowed, up to three
// values its `commit` takes to record the consumption (no closure per decision).
const DRIVER = `
local function decide(mode, cost, at, ki, pb, n, out, o)
  local all, evals = true, {}
  for i = 1, n do
    local b = pb + (i - 1) * 4
    local alg = ALG[ARGV[b]]
    local keys = {}
    for j = 1, alg.nkeys do keys[j] = KEYS[ki]; ki = ki + 1 end
    local limit, window, burst = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
    if mode == 'r' then
      alg.refund(keys, limit, window, burst, cost, now, now_us, at)
    else
      local ok, rem, reset, retry, c1, c2, c3 = alg.eval(keys, limit, window, burst, cost, now, now_us)
      if not ok then all = false end
      evals[i] = { alg = alg, keys = keys, limit = limit, window = window, burst = burst,
        ok = ok, rem = rem, reset = reset, retry = retry, c1 = c1, c2 = c2, c3 = c3 }
    end
  end
  if mode == 'r' then return o end
  out[o] = all and 1 or 0
  for i = 1, n do
    local e = evals[i]
    local rem, reset = e.rem, e.reset
    if mode == 'c' and all then
      e.alg.commit(e.keys, e.window, e.c1, e.c2, e.c3)
    else
      -- Nothing recorded: report the current state (cost 0).
      local _, r0, t0 = e.alg.eval(e.keys, e.limit, e.window, e.burst, 0, now, now_us)
      rem, reset = r0, t0
    end
    local p = o + (i - 1) * 4
    out[p + 1] = e.ok and 1 or 0
    out[p + 2] = rem
    out[p + 3] = reset
    out[p + 4] = e.retry
  end
  return o + 1 + n * 4
end
`;

const SINGLE = `
local out = { now }
decide(ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), 1, 4, (#ARGV - 3) / 4, out, 2)
return out
`;

// The batch script: the consumptions of one event-loop turn, one after another in one
// atomic call. ARGV: policy count, keys per decision, then per policy: algorithm code,
// limit, windowMs, burst; then one cost per decision. KEYS: each decision's keys in order.
// Reply: one flat list, { now ms, then per decision what the single call answers after its
// now: all allowed, then per policy allowed, remaining, reset, retry } (no table per decision).
const BATCH = `
local n, per = tonumber(ARGV[1]), tonumber(ARGV[2])
local first = 3 + n * 4
local out, o = { now }, 2
if n == 1 then
  -- One policy: the driver's work without its tables (same answers: all = this policy).
  local alg = ALG[ARGV[3]]
  local eval, commit = alg.eval, alg.commit
  local limit, window, burst = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
  local keys = {}
  for d = first, #ARGV do
    local ki = (d - first) * per
    for j = 1, per do keys[j] = KEYS[ki + j] end
    local ok, rem, reset, retry, c1, c2, c3 = eval(keys, limit, window, burst, tonumber(ARGV[d]), now, now_us)
    local a = 0
    if ok then
      a = 1
      commit(keys, window, c1, c2, c3)
    else
      local _, r0, t0 = eval(keys, limit, window, burst, 0, now, now_us)
      rem, reset = r0, t0
    end
    out[o] = a
    out[o + 1] = a
    out[o + 2] = rem
    out[o + 3] = reset
    out[o + 4] = retry
    o = o + 5
  end
  return out
end
for d = first, #ARGV do
  o = decide('c', tonumber(ARGV[d]), 0, 1 + (d - first) * per, 3, n, out, o)
end
return out
`;

/**
 * The limiter's script: the prologue, the fragments of the algorithms its policies use
 * (one fragment per algorithm, so a single-algorithm limiter runs just that algorithm's
 * script) and the driver that evaluates every policy in one call. The name carries the
 * key count, which RedisScript checks on every call.
 */
export function buildScript(policies: readonly Policy[]): RedisScript {
  return build(policies, false);
}

/**
 * The limiter's batch script (several consumptions in one call). Its `keys` is the key
 * count of one decision: it is run with EVALSHA directly (any multiple of that count),
 * never through `RedisScript.run`.
 */
export function buildBatchScript(policies: readonly Policy[]): RedisScript {
  return build(policies, true);
}

function build(policies: readonly Policy[], batch: boolean): RedisScript {
  const parts = [...new Set(policies.map((policy) => policy.algorithm))].sort().map((a) => ALGORITHMS[a]);
  const keys = policies.reduce((sum, policy) => sum + ALGORITHMS[policy.algorithm].keySuffixes.length, 0);
  return new RedisScript({
    name: `rnh-ratelimit${batch ? '-batch' : ''}:${parts.map((part) => part.code).join('+')}:k${keys}`,
    lua: PROLOGUE + parts.map((part) => part.lua).join('') + DRIVER + (batch ? BATCH : SINGLE),
    keys,
  });
}
