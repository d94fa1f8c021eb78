import { describe, expect, it } from 'vitest';
import type { RateLimiter } from '../limiter.js';
import type { Decision, PolicyState } from '../types.js';
import { rateLimitHeaders, refusalHeaders, retryAfterSeconds } from './headers.js';

const burst: PolicyState = {
  name: 'burst',
  algorithm: 'fixed-window',
  limit: 100,
  windowMs: 60_000,
  allowed: true,
  remaining: 50,
  resetMs: 29_001,
  retryAfterMs: 0,
};
const daily: PolicyState = {
  ...burst,
  name: 'daily',
  limit: 1000,
  windowMs: 86_400_000,
  remaining: 900,
  resetMs: 40_000_000,
};

function decision(policies: PolicyState[], allowed = true): Decision {
  const binding = policies.find((p) => !p.allowed) ?? policies[0]!;
  return {
    allowed,
    reason: allowed ? 'allowed' : 'limited',
    limiter: 'api',
    cost: 1,
    limit: binding.limit,
    remaining: binding.remaining,
    resetMs: binding.resetMs,
    retryAfterMs: allowed ? 0 : binding.retryAfterMs,
    policy: binding.name,
    policies,
    consumed: allowed,
    at: 0,
  };
}

describe('rateLimitHeaders', () => {
  it('draft 8: one List Item per policy, names as Strings, seconds rounded up', () => {
    expect(rateLimitHeaders(decision([burst, daily]), 'draft-8')).toEqual([
      ['RateLimit-Policy', '"burst";q=100;w=60, "daily";q=1000;w=86400'],
      ['RateLimit', '"burst";r=50;t=30, "daily";r=900;t=40000'],
    ]);
  });

  it('draft 8: a denying policy reports its retry-after as t, the same moment as Retry-After', () => {
    const denied = { ...burst, allowed: false, remaining: 0, resetMs: 60_000, retryAfterMs: 1_500 };
    const headers = rateLimitHeaders(decision([denied, daily], false), 'draft-8');
    expect(headers[1]).toEqual(['RateLimit', '"burst";r=0;t=2, "daily";r=900;t=40000']);
    expect(retryAfterSeconds(decision([denied, daily], false))).toBe(2);
  });

  it('draft 7: combined RateLimit for the binding policy, RateLimit-Policy lists all', () => {
    expect(rateLimitHeaders(decision([burst, daily]), 'draft-7')).toEqual([
      ['RateLimit-Policy', '100;w=60, 1000;w=86400'],
      ['RateLimit', 'limit=100, remaining=50, reset=30'],
    ]);
  });

  it('draft 6: separate fields', () => {
    expect(rateLimitHeaders(decision([burst]), 'draft-6')).toEqual([
      ['RateLimit-Policy', '100;w=60'],
      ['RateLimit-Limit', '100'],
      ['RateLimit-Remaining', '50'],
      ['RateLimit-Reset', '30'],
    ]);
  });

  it('nothing when Redis was not reached; no Retry-After when allowed or when waiting cannot help', () => {
    expect(rateLimitHeaders({ ...decision([burst]), policies: [], policy: undefined }, 'draft-8')).toEqual(
      [],
    );
    expect(retryAfterSeconds(decision([burst]))).toBeUndefined();
    const never = { ...burst, allowed: false, retryAfterMs: Number.POSITIVE_INFINITY };
    expect(retryAfterSeconds(decision([never], false))).toBeUndefined();
  });
});

describe('refusalHeaders', () => {
  const limiter = {
    policies: [{ name: 'login', algorithm: 'fixed-window', quota: 5, windowMs: 900_000 }],
  } as unknown as Pick<RateLimiter, 'policies'>;

  it('the RateLimit fields of the decision, and Retry-After', () => {
    const denied = { ...burst, allowed: false, remaining: 0, retryAfterMs: 1_500 };
    expect(refusalHeaders(limiter, decision([denied], false))).toEqual([
      ['RateLimit-Policy', '"burst";q=100;w=60'],
      ['RateLimit', '"burst";r=0;t=2'],
      ['Retry-After', '2'],
    ]);
  });

  it('fail_closed (Redis not reached): the configured policies, nothing left, the wait of the refusal', () => {
    const failClosed: Decision = {
      ...decision([burst], false),
      reason: 'fail_closed',
      policies: [],
      policy: undefined,
      retryAfterMs: 1000,
    };
    expect(refusalHeaders(limiter, failClosed, 'draft-7')).toEqual([
      ['RateLimit-Policy', '5;w=900'],
      ['RateLimit', 'limit=5, remaining=0, reset=1'],
      ['Retry-After', '1'],
    ]);
  });
});
