import { describe, expect, it } from 'vitest';
import { RedisConfigError } from '../errors.js';
import { defaultRedisOptions } from './defaults.js';
import { redisOptionsFromEnv } from './from-env.js';

function configError(env: Record<string, string | undefined>): RedisConfigError {
  try {
    redisOptionsFromEnv(env);
  } catch (error) {
    if (error instanceof RedisConfigError) return error;
    throw error;
  }
  throw new Error('expected a RedisConfigError');
}

describe('redisOptionsFromEnv', () => {
  it('returns the guide defaults for an empty environment', () => {
    expect(redisOptionsFromEnv({})).toEqual(defaultRedisOptions());
    expect(redisOptionsFromEnv({})).toMatchObject({
      mode: 'standalone',
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      tls: false,
      keyPrefix: 'rnh:',
      maxRetriesPerRequest: 3,
      retryDelayMs: 100,
      maxRetryDelayMs: 5000,
      connectTimeoutMs: 10_000,
    });
  });

  it('reads a plain redis:// URL', () => {
    expect(redisOptionsFromEnv({ REDIS_URL: 'redis://cache.internal:6380' })).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      tls: false,
      db: 0,
    });
  });

  it('reads rediss:// with an ACL user, an encoded password and a database', () => {
    const options = redisOptionsFromEnv({ REDIS_URL: 'rediss://app:p%40ss%3Aw0rd@redis.example.com/3' });
    expect(options).toMatchObject({
      host: 'redis.example.com',
      port: 6379,
      tls: true,
      username: 'app',
      password: 'p@ss:w0rd',
      db: 3,
    });
  });

  it('reads a password-only URL (default user) and IPv6 hosts', () => {
    const options = redisOptionsFromEnv({ REDIS_URL: 'redis://:secret@[::1]:7000/1' });
    expect(options.username).toBeUndefined();
    expect(options).toMatchObject({ host: '::1', port: 7000, password: 'secret', db: 1 });
  });

  it('lets explicit REDIS_* variables override the URL parts', () => {
    const options = redisOptionsFromEnv({
      REDIS_URL: 'rediss://app:fromurl@url-host:6380/2',
      REDIS_HOST: 'env-host',
      REDIS_PORT: '7001',
      REDIS_PASSWORD: 'fromenv',
      REDIS_USERNAME: 'worker',
      REDIS_DB: '5',
      REDIS_TLS: 'false',
    });
    expect(options).toMatchObject({
      host: 'env-host',
      port: 7001,
      password: 'fromenv',
      username: 'worker',
      db: 5,
      tls: false,
    });
  });

  it('reads the guide variables', () => {
    expect(
      redisOptionsFromEnv({
        REDIS_HOST: 'redis',
        REDIS_PORT: '6390',
        REDIS_PASSWORD: 'pw',
        REDIS_DB: '2',
        REDIS_KEY_PREFIX: 'app:',
        REDIS_MAX_RETRIES: '0',
        REDIS_RETRY_DELAY: '250',
        REDIS_CONNECT_TIMEOUT: '1500',
        REDIS_TLS: '1',
      }),
    ).toMatchObject({
      host: 'redis',
      port: 6390,
      password: 'pw',
      db: 2,
      keyPrefix: 'app:',
      maxRetriesPerRequest: 0,
      retryDelayMs: 250,
      connectTimeoutMs: 1500,
      tls: true,
    });
  });

  it('treats blank values as unset', () => {
    expect(redisOptionsFromEnv({ REDIS_PASSWORD: '', REDIS_PORT: '  ', REDIS_URL: '' })).toEqual(
      defaultRedisOptions(),
    );
  });

  it('reads sentinels with their master name', () => {
    expect(
      redisOptionsFromEnv({
        REDIS_SENTINELS: 's1:26379, s2:26380,[::1]:26381',
        REDIS_SENTINEL_NAME: 'mymaster',
      }),
    ).toMatchObject({
      mode: 'sentinel',
      sentinelName: 'mymaster',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
    });
  });

  it('reads cluster nodes', () => {
    expect(redisOptionsFromEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001' })).toMatchObject({
      mode: 'cluster',
      clusterNodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
  });

  it.each([
    [{ REDIS_PORT: 'abc' }, 'REDIS_PORT', 'REDIS_PORT must be a port number 1-65535 (got "abc")'],
    [{ REDIS_PORT: '70000' }, 'REDIS_PORT', 'REDIS_PORT must be a port number 1-65535 (got "70000")'],
    [{ REDIS_DB: '-1' }, 'REDIS_DB', 'REDIS_DB must be a database index, an integer >= 0 (got "-1")'],
    [
      { REDIS_MAX_RETRIES: '2.5' },
      'REDIS_MAX_RETRIES',
      'REDIS_MAX_RETRIES must be an integer >= 0 (got "2.5")',
    ],
    [
      { REDIS_RETRY_DELAY: '0' },
      'REDIS_RETRY_DELAY',
      'REDIS_RETRY_DELAY must be a delay in milliseconds, an integer >= 1 (got "0")',
    ],
    [
      { REDIS_CONNECT_TIMEOUT: '10s' },
      'REDIS_CONNECT_TIMEOUT',
      'REDIS_CONNECT_TIMEOUT must be a timeout in milliseconds',
    ],
    [{ REDIS_TLS: 'yes please' }, 'REDIS_TLS', 'REDIS_TLS must be true, false, 1 or 0 (got "yes please")'],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL', 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ REDIS_URL: 'redis://localhost/abc' }, 'REDIS_URL', 'REDIS_URL database'],
    [
      { REDIS_KEY_PREFIX: 'rnh {x}:' },
      'REDIS_KEY_PREFIX',
      'REDIS_KEY_PREFIX must not contain whitespace or { }',
    ],
    [
      { REDIS_SENTINELS: 's1:26379,s2', REDIS_SENTINEL_NAME: 'm' },
      'REDIS_SENTINELS',
      'REDIS_SENTINELS must be a comma-separated list of host:port',
    ],
    [
      { REDIS_SENTINELS: 's1:26379' },
      'REDIS_SENTINEL_NAME',
      'REDIS_SENTINEL_NAME is required with REDIS_SENTINELS',
    ],
    [{ REDIS_SENTINEL_NAME: 'mymaster' }, 'REDIS_SENTINEL_NAME', 'REDIS_SENTINELS is not'],
    [
      { REDIS_CLUSTER_NODES: 'a:1,b:99999' },
      'REDIS_CLUSTER_NODES',
      'REDIS_CLUSTER_NODES must be a comma-separated list of host:port',
    ],
    [
      { REDIS_CLUSTER_NODES: 'a:7000', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' },
      'REDIS_CLUSTER_NODES',
      'cannot both be set',
    ],
    [{ REDIS_CLUSTER_NODES: 'a:7000', REDIS_DB: '3' }, 'REDIS_DB', 'REDIS_DB must be 0 in cluster mode'],
    [
      { REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: 'redis://a:7000/4' },
      'REDIS_URL',
      "REDIS_URL's database must be 0 in cluster mode",
    ],
  ])('names the variable in the error for %o', (env, variable, text) => {
    const error = configError(env);
    expect(error.code).toBe('REDIS_CONFIG_INVALID');
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(text);
  });

  it('collects several problems into one error', () => {
    const error = configError({ REDIS_PORT: 'abc', REDIS_DB: 'x', REDIS_TLS: 'maybe' });
    expect(error.issues.map((issue) => issue.variable)).toEqual(['REDIS_PORT', 'REDIS_DB', 'REDIS_TLS']);
    expect(error.message).toContain('REDIS_PORT must be a port number 1-65535 (got "abc")');
    expect(error.message).toContain('REDIS_DB must be');
    expect(error.message).toContain('REDIS_TLS must be');
  });

  it('never echoes a password from a bad URL', () => {
    const error = configError({ REDIS_URL: 'http://app:hunter2@localhost:6379' });
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('http://***@localhost:6379');
  });
});

describe('defaultRedisOptions', () => {
  it('applies overrides but ignores undefined ones', () => {
    expect(defaultRedisOptions({ port: 7000, password: undefined })).toMatchObject({
      port: 7000,
      host: '127.0.0.1',
    });
    expect('password' in defaultRedisOptions({ password: undefined })).toBe(false);
  });
});
