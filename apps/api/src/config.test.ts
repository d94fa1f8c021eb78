import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('production configuration', () => {
  const production = {
    NODE_ENV: 'production',
    SESSION_SECRET: 'a-production-secret-of-at-least-32-characters',
    JOB_SECRET_KEY: 'a-production-job-key-of-at-least-32-characters',
    API_TRUST_PROXY: '1',
  };

  it('refuses to start without a Redis password, naming REDIS_PASSWORD and REDIS_USERNAME', () => {
    expect(() => loadConfig(production)).toThrow(
      /REDIS_PASSWORD must be set in production \(or a password in REDIS_URL\).*REDIS_USERNAME/,
    );
    // An ACL user alone is no protection: it needs its password.
    expect(() => loadConfig({ ...production, REDIS_USERNAME: 'rnh-api' })).toThrow(/REDIS_PASSWORD/);
  });

  it('starts with a password, from REDIS_PASSWORD or REDIS_URL, with or without an ACL user', () => {
    expect(loadConfig({ ...production, REDIS_PASSWORD: 'pw' }).redis.password).toBe('pw');
    expect(
      loadConfig({ ...production, REDIS_URL: 'rediss://rnh-api:p%40ss@redis.internal:6380' }).redis,
    ).toMatchObject({ username: 'rnh-api', password: 'p@ss', tls: true });
  });

  it('asks for no Redis password outside production', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).redis.password).toBeUndefined();
  });
});
