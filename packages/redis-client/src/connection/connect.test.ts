import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisAuthError, RedisConnectionError, RedisTimeoutError } from '../errors.js';
import { toConnectError } from './connect.js';

const target = '10.0.0.5:6379';
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('toConnectError', () => {
  it('names authentication failures and keeps the ioredis error as cause', () => {
    const cause = Object.assign(
      new ReplyError('WRONGPASS invalid username-password pair or user is disabled.') as Error,
      {
        command: { name: 'auth', args: ['app', 'hunter2'] },
      },
    );
    const error = toConnectError(cause, target, { username: 'app' });
    expect(error).toBeInstanceOf(RedisAuthError);
    expect(error.message).toMatch(
      /^Redis authentication failed for user "app" at 10\.0\.0\.5:6379: wrong username or password/,
    );
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(cause)).not.toContain('hunter2');
    expect(toConnectError(new ReplyError('NOAUTH Authentication required.'), target)).toBeInstanceOf(
      RedisAuthError,
    );
  });

  it('explains network failures', () => {
    expect(toConnectError(withCode('connect ECONNREFUSED', 'ECONNREFUSED'), target).message).toContain(
      'connection refused',
    );
    expect(toConnectError(withCode('getaddrinfo ENOTFOUND x', 'ENOTFOUND'), target).message).toContain(
      'host not found',
    );
    expect(toConnectError(withCode('connect ETIMEDOUT', 'ETIMEDOUT'), target)).toBeInstanceOf(
      RedisTimeoutError,
    );
    expect(toConnectError(new Error('wrong version number (SSL routines)'), target).message).toContain(
      'over TLS: the TLS handshake failed',
    );
  });

  it('says what a cluster failure means', () => {
    const error = Object.assign(new Error('Failed to refresh slots cache.'), {
      lastNodeError: new Error('Connection is closed.'),
    });
    Object.defineProperty(error, 'name', { value: 'ClusterAllFailedError' });
    const converted = toConnectError(error, 'cluster via a:7000');
    expect(converted).toBeInstanceOf(RedisConnectionError);
    expect(converted.message).toContain(
      'no cluster node answered CLUSTER SLOTS (last node error: Connection is closed.)',
    );
  });
});
