// Where each rate limiter applies over HTTP, and what it counts a request by. A limiter switched
// off in config (`off`) becomes a pass-through.
import type { Request, RequestHandler } from 'express';
import { clientAddressKey, firstKey, ipKey, rateLimit, userKey, type RateLimiter } from '@rnh/ratelimit';
import type { RateLimiters } from './rate-limiters.js';

export interface HttpLimits {
  /** Every request but health and metrics, per client address. */
  global: RequestHandler;
  /** Signed-in API routes, per user (per address for anonymous calls). */
  api: RequestHandler;
  /** Failed sign-ins (successful ones are given back), per address and email. */
  signIn: RequestHandler;
  /** New accounts, per address. */
  signup: RequestHandler;
}

const passThrough: RequestHandler = (_req, _res, next) => next();

export function httpLimits(
  limiters: RateLimiters,
  options: { callerId: (req: Request) => string | undefined; failClosedStatus: 429 | 503 },
): HttpLimits {
  const use = (limiter: RateLimiter | undefined, make: (limiter: RateLimiter) => RequestHandler) =>
    limiter ? make(limiter) : passThrough;
  const { failClosedStatus } = options;
  return {
    // No RateLimit headers from the broad limiter: the route's own limiter reports its tighter numbers.
    global: use(
      limiters.global,
      (limiter) => rateLimit<Request>(limiter, { key: ipKey(), headers: false }) as RequestHandler,
    ),
    api: use(
      limiters.api,
      (limiter) =>
        rateLimit<Request>(limiter, { key: firstKey(userKey(options.callerId), ipKey()) }) as RequestHandler,
    ),
    signIn: use(
      limiters.auth,
      (limiter) =>
        rateLimit<Request>(limiter, {
          key: (req) => `${clientAddressKey(req.ip)}|${emailOf(req)}`,
          skipSuccessfulRequests: true,
          failClosedStatus,
        }) as RequestHandler,
    ),
    signup: use(
      limiters.signup,
      (limiter) => rateLimit<Request>(limiter, { key: ipKey(), failClosedStatus }) as RequestHandler,
    ),
  };
}

function emailOf(req: Request): string {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
}
