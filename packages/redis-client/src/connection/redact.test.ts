import { describe, expect, it } from 'vitest';
import { defaultRedisOptions } from '../config/defaults.js';
import { redactErrorSecrets, redactRedisOptions, safeErrorFields } from './redact.js';

describe('redactErrorSecrets', () => {
  it('blanks AUTH arguments that ioredis attaches to reply errors', () => {
    const error = Object.assign(new Error('WRONGPASS invalid username-password pair'), {
      command: { name: 'auth', args: ['app', 's3cret'] },
    });
    redactErrorSecrets(error);
    expect(JSON.stringify(error.command)).not.toContain('s3cret');
    expect(JSON.stringify(safeErrorFields(error))).not.toContain('s3cret');
  });

  it('leaves other commands alone', () => {
    const error = Object.assign(new Error('WRONGTYPE'), { command: { name: 'get', args: ['k'] } });
    expect(redactErrorSecrets(error).command.args).toEqual(['k']);
  });
});

describe('redactRedisOptions', () => {
  it('hides the password and the TLS material but shows that they are set', () => {
    const options = defaultRedisOptions({
      username: 'app',
      password: 's3cret',
      tls: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', servername: 'redis.example.com' },
    });
    const safe = redactRedisOptions(options);
    expect(safe).toMatchObject({
      username: 'app',
      password: '[redacted]',
      tls: { ca: '[redacted]', cert: '[redacted]', key: '[redacted]', servername: 'redis.example.com' },
    });
    expect(JSON.stringify(safe)).not.toMatch(/s3cret|PEM/);
    // The options themselves are left as they were.
    expect(options.password).toBe('s3cret');
    expect(redactRedisOptions(defaultRedisOptions({ tls: true }))).toEqual(
      defaultRedisOptions({ tls: true }),
    );
  });
});
