// Where each rate limiter applies over HTTP, and what it counts a request by. A limiter switched
// off in config (`off`) becomes a pass-through.
import type { Request, RequestHandler, Response } from 'express';
import {
  clientAddressKey,
  denialResponse,
  firstKey,
  ipKey,
  rateLimit,
  retryAfterSeconds,
  userKey,
  type KeyGenerator,
  type RateLimiter,
  type RateLimitMiddlewareOptions,
} from '@rnh/ratelimit';
import type { RateLimiters } from './rate-limiters.js';

export interface HttpLimits {
  /** Every request but health, per client address. */
  global: RequestHandler;
  /** Signed-in API routes, per user (per address for anonymous calls). */
  api: RequestHandler;
  /**
   * Failed sign-ins (successful ones are given back): per address and email, then per account
   * from every address, except from a browser that signed in to that account before.
   */
  signIn: RequestHandler[];
  /** Wrong current passwords on /me/password: failed sign-ins of the caller's account, per address and per account. */
  passwordChange: RequestHandler[];
  /** New accounts, per address. */
  signup: RequestHandler;
}

export interface HttpLimitsOptions {
  callerId: (req: Request) => string | undefined;
  /** The signed-in caller's email (after requireCaller), the account /me/password guesses count against. */
  callerEmail: (req: Request) => Promise<string | undefined>;
  /** Whether the request comes from a browser that signed in to the account of `email` before. */
  knownDevice: (req: Request, email: string) => boolean;
  failClosedStatus: 429 | 503;
}

const passThrough: RequestHandler = (_req, _res, next) => next();

export function httpLimits(limiters: RateLimiters, options: HttpLimitsOptions): HttpLimits {
  const use = (limiter: RateLimiter | undefined, make: (limiter: RateLimiter) => RequestHandler) =>
    limiter ? make(limiter) : passThrough;
  const limit = (limiter: RateLimiter | undefined, settings: RateLimitMiddlewareOptions<Request>) =>
    use(limiter, (present) => rateLimit<Request>(present, settings) as RequestHandler);
  const { failClosedStatus } = options;

  // The same two counters for sign-ins and password changes: one account's failed guesses,
  // wherever they are made.
  type EmailOf = (req: Request) => string | undefined | Promise<string | undefined>;
  const perAddress = (emailOfRequest: EmailOf) =>
    (async (req) => {
      const email = await emailOfRequest(req);
      return email === undefined ? undefined : `${clientAddressKey(req.ip)}|${email}`;
    }) satisfies KeyGenerator<Request>;
  // No key (not counted, not limited) for a known device, or when there is no email to count.
  const perAccount = (emailOfRequest: EmailOf) =>
    (async (req) => {
      const email = await emailOfRequest(req);
      return email ? `account:${email}` : undefined;
    }) satisfies KeyGenerator<Request>;
  const failures = { skipSuccessfulRequests: true, failClosedStatus };
  // Only a wrong current password is a guess; a refused new password is not.
  const wrongPassword = { ...failures, succeeded: (res: unknown) => !isWrongPasswordAnswer(res as Response) };
  const accountLocked = { onDenied: answerAccountLocked(failClosedStatus) };

  return {
    // No RateLimit headers on allowed requests from the broad limiter: the route's own limiter
    // reports its tighter numbers. A refusal still carries them.
    global: limit(limiters.global, { key: ipKey(), headers: false }),
    api: limit(limiters.api, { key: firstKey(userKey(options.callerId), ipKey()) }),
    signIn: [
      limit(limiters.auth, { key: perAddress((req) => emailOf(req)), ...failures }),
      limit(limiters.auth_account, {
        key: perAccount((req) => {
          const email = emailOf(req);
          return options.knownDevice(req, email) ? undefined : email;
        }),
        ...failures,
        ...accountLocked,
      }),
    ],
    passwordChange: [
      limit(limiters.auth, { key: perAddress(options.callerEmail), ...wrongPassword }),
      limit(limiters.auth_account, {
        key: perAccount(options.callerEmail),
        ...wrongPassword,
        ...accountLocked,
      }),
    ],
    signup: limit(limiters.signup, { key: ipKey(), failClosedStatus }),
  };
}

function emailOf(req: Request): string {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
}

function isWrongPasswordAnswer(res: Response): boolean {
  return res.locals?.errorCode === 'wrong_password';
}

/** The per-account refusal says how the real user gets in anyway. */
function answerAccountLocked(
  failClosedStatus: 429 | 503,
): NonNullable<RateLimitMiddlewareOptions<Request>['onDenied']> {
  return (_req, res, _next, decision) => {
    const { status, body } = denialResponse(decision, failClosedStatus);
    const seconds = retryAfterSeconds(decision);
    if (body.error.code === 'rate_limited' && seconds !== undefined)
      body.error.message =
        'Too many failed sign-ins for this account. Sign in from a device you used before, reset your ' +
        `password, or try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
    (res as Response).status(status).json(body);
  };
}
