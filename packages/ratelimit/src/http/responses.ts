import type { ServerResponse } from 'node:http';
import type { Decision } from '../types.js';
import { retryAfterSeconds } from './headers.js';

/** The JSON error body of a denied request, shaped like every API error: `{ error: { code, message, ... } }`. */
export interface RateLimitErrorBody {
  error:
    | { code: 'rate_limited'; message: string; retryAfterSeconds: number | null }
    | {
        code: 'rate_limiter_unavailable';
        message: string;
      };
}

/** 429 for `limited` / `local_block`; for `fail_closed`, `failClosedStatus` (503 by default, or 429). */
export function denialResponse(
  decision: Decision,
  failClosedStatus: 429 | 503,
): { status: number; body: RateLimitErrorBody } {
  if (decision.reason === 'fail_closed' && failClosedStatus === 503) {
    return {
      status: 503,
      body: {
        error: {
          code: 'rate_limiter_unavailable',
          message: 'Rate limiting is temporarily unavailable; try again shortly.',
        },
      },
    };
  }
  const seconds = retryAfterSeconds(decision) ?? null;
  return {
    status: 429,
    body: {
      error: {
        code: 'rate_limited',
        message:
          seconds === null
            ? 'Too many requests: this request exceeds the rate limit.'
            : `Too many requests; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
        retryAfterSeconds: seconds,
      },
    },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
