import { checkedPolicy, NAME } from '../algorithms/algorithm.js';
import { ALGORITHMS } from '../algorithms/script.js';
import { RateLimitArgumentError } from '../errors.js';
import type { Algorithm, Policy } from '../types.js';

/** A validated policy with its name resolved and its quota (limit, or burst for the bucket algorithms). */
export interface NamedPolicy {
  name: string;
  algorithm: Algorithm;
  limit: number;
  windowMs: number;
  burst: number;
  quota: number;
  keySuffixes: readonly string[];
  /** The algorithm's id in the script's arguments. */
  code: string;
}

export function namePolicies(limiter: string, input: Policy | readonly Policy[]): NamedPolicy[] {
  if (!NAME.test(limiter)) throw new RateLimitArgumentError('limiter name must be 1-64 of [A-Za-z0-9_.-]');
  const list: readonly Policy[] = Array.isArray(input) ? input : [input as Policy];
  if (list.length === 0) throw new RateLimitArgumentError(`limiter "${limiter}" needs at least one policy`);
  const named = list.map((raw, index) => {
    const policy = checkedPolicy(raw);
    const name = policy.name ?? (list.length === 1 ? limiter : undefined);
    if (!name)
      throw new RateLimitArgumentError(
        `limiter "${limiter}": policy ${index + 1} needs a name (it has several)`,
      );
    const bucket = policy.algorithm === 'token-bucket' || policy.algorithm === 'gcra';
    const burst = policy.burst ?? policy.limit;
    return {
      name,
      algorithm: policy.algorithm,
      limit: policy.limit,
      windowMs: policy.windowMs,
      burst,
      quota: bucket ? burst : policy.limit,
      keySuffixes: ALGORITHMS[policy.algorithm].keySuffixes,
      code: ALGORITHMS[policy.algorithm].code,
    };
  });
  const names = new Set(named.map((policy) => policy.name));
  if (names.size !== named.length)
    throw new RateLimitArgumentError(`limiter "${limiter}": policy names must be unique`);
  return named;
}
