import type { ServerResponse } from 'node:http';
import type { RateLimiter } from '../limiter.js';
import type { Decision } from '../types.js';
import { allowedFields, refusalHeaders, type HeaderDraft } from './headers.js';
import type { KeyGenerator, RateLimitRequest } from './keys.js';
import { denialResponse, sendJson } from './responses.js';

type Next = (error?: unknown) => void;

const DEFAULT_DRAFT: HeaderDraft = 'draft-8';
export type RateLimitHandler<R extends RateLimitRequest = RateLimitRequest> = (
  req: R,
  res: ServerResponse,
  next: Next,
) => void;

export interface RateLimitMiddlewareOptions<R extends RateLimitRequest = RateLimitRequest> {
  /** What the request is limited by, e.g. `ipKey()`; answering undefined lets the request through unlimited. */
  key: KeyGenerator<R>;
  /** Units the request uses; default 1. */
  cost?: number | ((req: R) => number);
  /**
   * RateLimit fields of that draft on every response Redis decided (allowed or denied). `false`
   * sends none on allowed requests; a denied one still gets the draft-8 fields. Default `draft-8`.
   */
  headers?: HeaderDraft | false;
  /** Give back the units of requests that succeeded (e.g. count failed logins only). */
  skipSuccessfulRequests?: boolean;
  /** Give back the units of requests that failed (or whose connection closed early). */
  skipFailedRequests?: boolean;
  /** What counts as success for the two options above; default a status below 400. */
  succeeded?: (res: ServerResponse) => boolean;
  /** Status of `fail_closed` answers: 503 (default, `rate_limiter_unavailable`) or 429 (`rate_limited`). */
  failClosedStatus?: 429 | 503;
  /** Requests to leave alone (health checks, ...). */
  skip?: (req: R) => boolean;
  /**
   * Replaces the default JSON answer of a denied request (the RateLimit and Retry-After
   * headers are already set); e.g. `next(new HttpError(429, ...))` to use the app's error handler.
   */
  onDenied?: (req: R, res: ServerResponse, next: Next, decision: Decision) => void;
}

/**
 * Express (or plain Node) middleware. The decision is put on `res.locals.rateLimit`.
 * A denied request gets 429 `{ error: { code: 'rate_limited', message, retryAfterSeconds } }`
 * and `Retry-After` and the RateLimit fields (whatever `headers` says); `fail_closed` gets 503
 * (or 429 when configured). In shadow mode,
 * nothing is blocked and no RateLimit headers are sent. Refunds happen when the
 * response finishes, per `skipSuccessfulRequests` / `skipFailedRequests`.
 */
export function rateLimit<R extends RateLimitRequest = RateLimitRequest>(
  limiter: RateLimiter,
  options: RateLimitMiddlewareOptions<R>,
): RateLimitHandler<R> {
  const draft = options.headers ?? DEFAULT_DRAFT;
  const failClosedStatus = options.failClosedStatus ?? 503;
  const succeeded = options.succeeded ?? ((res: ServerResponse) => res.statusCode < 400);
  const refunds = Boolean(options.skipSuccessfulRequests || options.skipFailedRequests);
  const { key: keyOf, cost, skip } = options;
  // Fields of allowed requests: the policy field is the limiter's configuration, worked out once.
  const fields = draft && limiter.mode === 'enforce' ? allowedFields(limiter.policies, draft) : undefined;

  /** What the decision means for this request: true when it goes on to `next()`. */
  function respond(req: R, res: ServerResponse, next: Next, key: string, decision: Decision): boolean {
    const locals = (res as { locals?: Record<string, unknown> }).locals;
    if (locals) locals.rateLimit = decision;
    if (res.headersSent) return decision.allowed;
    if (decision.allowed) {
      if (fields) fields(res, decision);
      if (refunds && decision.consumed) refundWhenDone(key, decision, res);
      return true;
    }
    // A refusal always says which limit and when to come back, even when allowed requests
    // carry no fields (`headers: false`).
    for (const [name, value] of refusalHeaders(limiter, decision, draft || DEFAULT_DRAFT))
      res.setHeader(name, value);
    if (options.onDenied) {
      options.onDenied(req, res, next, decision);
      return false;
    }
    const { status, body } = denialResponse(decision, failClosedStatus);
    sendJson(res, status, body);
    return false;
  }

  function decide(req: R, res: ServerResponse, next: Next, key: string): void {
    let limitOptions: { cost: number } | undefined;
    try {
      const units = typeof cost === 'function' ? cost(req) : cost;
      // Cost 1 (the default) goes without an options object.
      limitOptions = units === undefined || units === 1 ? undefined : { cost: units };
    } catch (error) {
      next(error);
      return;
    }
    limiter.limit(key, limitOptions).then((decision) => {
      let proceed: boolean;
      try {
        proceed = respond(req, res, next, key, decision);
      } catch (error) {
        next(error);
        return;
      }
      if (proceed) next();
    }, next);
  }

  function refundWhenDone(key: string, decision: Decision, res: ServerResponse): void {
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      if (ok ? options.skipSuccessfulRequests : options.skipFailedRequests) {
        // A failed refund is logged by the limiter; the request then simply stays counted.
        limiter.refund(key, decision).catch(() => undefined);
      }
    };
    res.once('finish', () => settle(succeeded(res)));
    res.once('close', () => settle(res.writableFinished && succeeded(res)));
  }

  // Not an async function: a key known at once (ipKey, userKey) goes straight to the limiter.
  return (req, res, next) => {
    let key: string | undefined | Promise<string | undefined>;
    try {
      if (skip?.(req)) {
        next();
        return;
      }
      key = keyOf(req);
    } catch (error) {
      next(error);
      return;
    }
    if (typeof key === 'string') decide(req, res, next, key);
    else if (key === undefined) next();
    else
      key.then((resolved) => {
        if (resolved === undefined) next();
        else decide(req, res, next, resolved);
      }, next);
  };
}
