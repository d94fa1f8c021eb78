import { RateLimitArgumentError } from '../errors.js';
import type { Algorithm, Policy } from '../types.js';

/**
 * One algorithm's Lua fragment and the key suffixes of its state. The fragment defines
 * `ALG.<code> = { nkeys, eval, commit, refund }`: `eval(keys, limit, window, burst, cost,
 * now, now_us)` answers allowed, remaining, reset ms, retry ms and, when allowed, up to three
 * values that `commit(keys, window, ...)` records the consumption with.
 */
export interface AlgorithmScript {
  algorithm: Algorithm;
  /** Short id passed in ARGV. */
  code: string;
  /** One Redis key per suffix: `<...>:<policy>:<suffix>`. */
  keySuffixes: readonly string[];
  lua: string;
}

export interface WindowOptions {
  limit: number;
  windowMs: number;
  name?: string;
}

export interface BucketOptions extends WindowOptions {
  burst?: number;
}

export const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Validates a policy (integers, sizes that keep the Lua integer math exact) and returns a frozen copy. */
export function checkedPolicy(policy: Policy): Policy {
  const { algorithm, limit, windowMs, name } = policy;
  const where = `${algorithm} policy${name ? ` "${name}"` : ''}`;
  if (name !== undefined && !NAME.test(name))
    throw new RateLimitArgumentError(`${where}: name must be 1-64 of [A-Za-z0-9_.-]`);
  positiveInteger(limit, `${where}: limit`);
  positiveInteger(windowMs, `${where}: windowMs`);
  const bucket = algorithm === 'token-bucket' || algorithm === 'gcra';
  const burst = bucket ? (policy.burst ?? limit) : undefined;
  if (burst !== undefined) positiveInteger(burst, `${where}: burst`);
  if (bucket && windowMs * 1000 < limit)
    throw new RateLimitArgumentError(`${where}: at most 1000 units per ms (windowMs * 1000 >= limit)`);
  // Lua numbers are doubles: keep every product well inside 2^53.
  const largest = bucket ? burst! * Math.ceil((windowMs * 1000) / limit) : limit * windowMs * 2;
  if (largest > 2 ** 50)
    throw new RateLimitArgumentError(`${where}: limit and windowMs are too large to compute exactly`);
  return Object.freeze({ name, algorithm, limit, windowMs, ...(bucket ? { burst } : {}) });
}

function positiveInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RateLimitArgumentError(`${what} must be an integer >= 1 (got ${value})`);
}
