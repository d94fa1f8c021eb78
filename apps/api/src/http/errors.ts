// Every error leaves the api as JSON `{ error: { code, message } }`: never a stack trace, never a 500 for a client's mistake.
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from '@rnh/telemetry';
import { isDataException } from '../db/pg-errors.js';
import { describeKnownError } from './known-errors.js';

export class HttpError extends Error {
  /** Sent as `Retry-After` and in the body, for 429 and 503 answers that know when to come back. */
  readonly retryAfterSeconds: number | undefined;
  /** Response headers of the answer, e.g. a rate limit's RateLimit fields. */
  readonly headers: ReadonlyArray<[string, string]>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number; headers?: ReadonlyArray<[string, string]> },
  ) {
    super(message, options);
    this.name = 'HttpError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.headers = options?.headers ?? [];
  }
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `No route for ${req.method} ${req.path}`));
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const { status, code, message } = describeError(error);
    // For what runs when the response is done (e.g. which refusals a rate limit counts).
    res.locals.errorCode = code;
    logRequestError(logger, error, req, status);
    if (res.headersSent) return;
    if (error instanceof HttpError) for (const [name, value] of error.headers) res.setHeader(name, value);
    const retryAfterSeconds = error instanceof HttpError ? error.retryAfterSeconds : undefined;
    if (retryAfterSeconds === undefined) return void res.status(status).json({ error: { code, message } });
    res.setHeader('Retry-After', String(retryAfterSeconds));
    res.status(status).json({ error: { code, message, retryAfterSeconds } });
  };
}

/** Logs what is the api's fault (5xx) or a value the schemas should have refused; a client's mistake is not logged. */
export function logRequestError(logger: Logger, error: unknown, req: Request, status: number): void {
  if (status >= 500)
    logger.error({ err: error, method: req.method, route: req.route?.path }, 'request failed');
  else if (isDataException(error))
    logger.warn(
      { err: error, method: req.method, route: req.route?.path },
      'the database refused a value the request schema let through',
    );
}

/** The status, code and message an error is answered with (JSON here, an HTML page for the mail-link pages). */
export function describeError(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  const known = describeKnownError(error);
  if (known) return known;
  // body-parser and friends mark client errors with a 4xx status.
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: 'bad_request', message: (error as Error).message };
  }
  return { status: 500, code: 'internal_error', message: 'Something went wrong on our side.' };
}
