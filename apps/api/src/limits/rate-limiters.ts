// The api's rate limiters, built from config. Which algorithm and which failure policy each one
// has is decided here, in one place:
// - global and api fail open: Redis trouble must not take the site down with it;
// - auth, signup and email fail closed: they stand between an attacker and passwords, new
//   accounts and other people's inboxes, and without Redis sign-in is unavailable anyway.
import { createHash } from 'node:crypto';
import { RateLimiter, fixedWindow, gcra, slidingWindow, type Policy } from '@rnh/ratelimit';
import type { Keyspace, Logger, RedisClient } from '@rnh/redis-client';
import type { RateRule } from '@rnh/config';
import type { Registry } from 'prom-client';
import { RATE_LIMITERS, type ApiConfig, type RateLimiterName } from '../config.js';

export type RateLimiters = Record<RateLimiterName, RateLimiter | undefined>;

const DESIGN: Record<RateLimiterName, { policy: (rule: RateRule) => Policy; failure: 'open' | 'closed' }> = {
  // Sliding window: no double burst at a window edge.
  global: { policy: (rule) => slidingWindow(rule), failure: 'open' },
  // GCRA: the full quota may come at once, then requests are spaced evenly.
  api: { policy: (rule) => gcra(rule), failure: 'open' },
  // Fixed windows: what "5 failed sign-ins per 15 minutes" means to a user reading the error.
  auth: { policy: (rule) => fixedWindow(rule), failure: 'closed' },
  // Failed sign-ins per account, from every address together: guessing one password from many
  // addresses (a botnet, or X-Forwarded-For entries we do not trust) meets this limit. A lockout
  // per account is a denial of service waiting to happen, so a browser that signed in to the
  // account before (it holds a known-device cookie, HMACed with the account) is not counted nor
  // stopped by it; it still meets `auth`, per address. We chose that over progressive delays:
  // delays slow a botnet no more than one client, and they hold a connection per guess. Wrong
  // current passwords on /me/password count here and in `auth` too, known device or not.
  auth_account: { policy: (rule) => fixedWindow(rule), failure: 'closed' },
  signup: { policy: (rule) => slidingWindow(rule), failure: 'closed' },
  email_user: { policy: (rule) => fixedWindow(rule), failure: 'closed' },
  email_address: { policy: (rule) => fixedWindow(rule), failure: 'closed' },
};

export function createRateLimiters(deps: {
  config: ApiConfig;
  redis: RedisClient;
  keys: Keyspace;
  logger: Logger;
  registry: Registry;
}): RateLimiters {
  const { rateLimits, sessions } = deps.config;
  // Keys are HMACed with a secret of their own (derived from the session secret), so an IP
  // address cannot be recovered from a Redis key name by trying all addresses.
  const hashSecret = createHash('sha256').update(`rate-limit-keys:${sessions.secret}`).digest('base64url');
  const build = (name: RateLimiterName): RateLimiter | undefined => {
    const rule = rateLimits.rules[name];
    if (!rule) return undefined;
    return new RateLimiter(
      { redis: deps.redis, keys: deps.keys, logger: deps.logger, registry: deps.registry },
      {
        name,
        policies: DESIGN[name].policy(rule),
        failure: DESIGN[name].failure,
        mode: rateLimits.shadow.includes(name) ? 'shadow' : 'enforce',
        hashSecret,
        operationTimeoutMs: rateLimits.operationTimeoutMs,
      },
    );
  };
  return Object.fromEntries(RATE_LIMITERS.map((name) => [name, build(name)])) as RateLimiters;
}
