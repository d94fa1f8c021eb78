import { describe, expect, it } from 'vitest';
import { SessionStoreUnavailableError, TokenRejectedError } from '../errors.js';
import { settle } from './callback.js';
import { sanitizeCause, toSessionsError, withTimeout } from './operation.js';

describe('toSessionsError', () => {
  it('keeps our coded errors and wraps anything else as SessionStoreUnavailableError with a sanitized cause', () => {
    const rejected = new TokenRejectedError('malformed');
    expect(toSessionsError(rejected, 'tokens.consume')).toBe(rejected);

    const redisError = Object.assign(new Error('Reached the max retries per request limit (which is 3).'), {
      name: 'MaxRetriesPerRequestError',
      command: { name: 'hmget', args: ['rnh:sess:{secret-sid}', 'd'] },
    });
    const mapped = toSessionsError(redisError, 'sessions.get');
    expect(mapped).toBeInstanceOf(SessionStoreUnavailableError);
    expect(mapped).toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE', operation: 'sessions.get' });
    expect(mapped.message).toBe('session store unavailable: sessions.get failed (connection)');
    const cause = mapped.cause as Error & Record<string, unknown>;
    expect(cause.name).toBe('MaxRetriesPerRequestError');
    expect(cause.command).toBeUndefined();
    expect(JSON.stringify({ ...cause, message: cause.message })).not.toContain('secret-sid');
  });

  it('sanitizeCause copies name, message and a string code only', () => {
    const copy = sanitizeCause(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', extra: 'x' }),
    ) as Error & Record<string, unknown>;
    expect(copy).toMatchObject({ message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' });
    expect(copy.extra).toBeUndefined();
    expect(sanitizeCause('a string').message).toBe('non-error value thrown');
  });
});

describe('withTimeout', () => {
  it('rejects a slow promise with SessionStoreUnavailableError and leaves fast ones alone', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 20, 'sessions.get')).rejects.toThrow(
      'session store unavailable: sessions.get timed out after 20 ms',
    );
    await expect(withTimeout(Promise.resolve(7), 20, 'sessions.get')).resolves.toBe(7);
    await expect(withTimeout(Promise.resolve(7), 0, 'sessions.get')).resolves.toBe(7);
  });
});

describe('settle', () => {
  it('calls the callback on a later tick, or returns the promise', async () => {
    const results: unknown[] = [];
    await new Promise<void>((resolve) => {
      expect(
        settle(Promise.resolve(1), (error, value) => (results.push(error, value), resolve())),
      ).toBeUndefined();
    });
    await new Promise<void>((resolve) => {
      settle(
        Promise.reject(new Error('boom')),
        (error) => (results.push((error as Error).message), resolve()),
      );
    });
    expect(results).toEqual([null, 1, 'boom']);
    await expect(settle(Promise.resolve(2), undefined)).resolves.toBe(2);
  });
});
