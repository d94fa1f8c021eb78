// Coded errors from the packages and the data layer, and what each means over HTTP.
import {
  RefreshTokenRejectedError,
  RefreshTokenReuseError,
  SessionStoreUnavailableError,
  TokenRejectedError,
} from '@rnh/sessions';
import { QueueUnavailableError } from '@rnh/queue';
import { RedisClientError } from '@rnh/redis-client';
import { isDataException } from '../db/pg-errors.js';
import { EmailTakenError } from '../users/errors.js';

const TOKEN_MESSAGES: Record<string, string> = {
  malformed: 'That link or token is not valid.',
  unknown: 'That link or token is not valid.',
  expired_or_used: 'That link or token has expired or was already used.',
  wrong_purpose: 'That link or token is not valid for this action.',
};

export function describeKnownError(
  error: unknown,
): { status: number; code: string; message: string } | undefined {
  if (error instanceof SessionStoreUnavailableError) {
    // Never a silent logout: the session may be fine, we just cannot read it right now.
    return {
      status: 503,
      code: 'session_store_unavailable',
      message: 'Sessions are temporarily unavailable; try again shortly.',
    };
  }
  if (error instanceof RefreshTokenReuseError) {
    return {
      status: 401,
      code: 'refresh_token_reused',
      message: 'This refresh token was already used; sign in again.',
    };
  }
  if (error instanceof RefreshTokenRejectedError) {
    // Expired, revoked, past the family's maximum age or not a token: only signing in again helps.
    return {
      status: 401,
      code: 'invalid_refresh_token',
      message: 'This refresh token is expired, revoked or not valid; sign in again.',
    };
  }
  if (error instanceof TokenRejectedError) {
    return {
      status: 400,
      code: 'invalid_token',
      message: TOKEN_MESSAGES[error.reason] ?? 'That link or token is not valid.',
    };
  }
  if (error instanceof EmailTakenError) {
    return { status: 409, code: 'email_taken', message: 'An account with that email already exists.' };
  }
  if (isDataException(error)) {
    // Request schemas should have refused the value; the driver's message quotes it, so it stays out.
    return {
      status: 400,
      code: 'invalid_request',
      message: 'The request holds a value that cannot be stored.',
    };
  }
  if (error instanceof QueueUnavailableError) {
    // The job (an email, a notification) could not be queued: nothing was half-sent.
    return {
      status: 503,
      code: 'queue_unavailable',
      message: 'This cannot be done right now; try again shortly.',
    };
  }
  if (error instanceof RedisClientError || isIoredisUnavailable(error)) {
    return {
      status: 503,
      code: 'redis_unavailable',
      message: 'A backing service is temporarily unavailable; try again shortly.',
    };
  }
  return undefined;
}

/** ioredis gives up on a command with these when Redis is down. */
function isIoredisUnavailable(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  const message = String((error as { message?: unknown } | null)?.message ?? '');
  return (
    name === 'MaxRetriesPerRequestError' ||
    message.includes("Stream isn't writeable") ||
    message.includes('Connection is closed')
  );
}
