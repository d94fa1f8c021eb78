import { describe, expect, it } from 'vitest';
import { describeTls } from '../config/describe.js';
import { RedisConfigError } from '../errors.js';
import { tlsConnectOptions } from './tls.js';

describe('tlsConnectOptions', () => {
  it('passes on what is set: nothing without TLS, defaults for `true`', () => {
    expect(tlsConnectOptions(false)).toBeUndefined();
    expect(tlsConnectOptions(true)).toEqual({});
    expect(tlsConnectOptions({ ca: 'CA', servername: 'redis.example.com' })).toEqual({
      ca: 'CA',
      servername: 'redis.example.com',
    });
  });

  it('refuses a client certificate without its key', () => {
    expect(() => tlsConnectOptions({ cert: 'CERT' })).toThrow(RedisConfigError);
    expect(() => tlsConnectOptions({ key: 'KEY' })).toThrow(/tls\.cert is missing/);
  });
});

describe('describeTls', () => {
  it('says what is set, never the material', () => {
    expect(describeTls(false)).toBe('no TLS');
    expect(describeTls(true)).toBe('TLS (built-in CAs)');
    expect(
      describeTls({ ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', servername: 'redis.internal' }),
    ).toBe('TLS (own CA, client certificate, servername "redis.internal")');
  });
});
