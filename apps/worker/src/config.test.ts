import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('production configuration', () => {
  const production = {
    NODE_ENV: 'production',
    JOB_SECRET_KEY: 'a-production-job-key-of-at-least-32-characters',
  };

  it('refuses to start without a Redis password, naming REDIS_PASSWORD and REDIS_USERNAME', () => {
    expect(() => loadConfig(production)).toThrow(
      /REDIS_PASSWORD must be set in production \(or a password in REDIS_URL\).*REDIS_USERNAME/,
    );
  });

  it('names every missing setting at once', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JOB_SECRET_KEY[\s\S]*REDIS_PASSWORD/);
  });

  it('starts with a password, from REDIS_PASSWORD or REDIS_URL', () => {
    expect(loadConfig({ ...production, REDIS_PASSWORD: 'pw' }).redis.password).toBe('pw');
    expect(loadConfig({ ...production, REDIS_URL: 'redis://rnh-worker:pw@redis:6379' }).redis).toMatchObject({
      username: 'rnh-worker',
      password: 'pw',
    });
    expect(loadConfig({ NODE_ENV: 'development' }).redis.password).toBeUndefined();
  });
});
