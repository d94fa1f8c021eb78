import { describe, expect, it } from 'vitest';
import { RedisClientError } from './errors.js';
import { escapeGlob, keyspace } from './keyspace.js';

describe('keyspace', () => {
  it('builds prefix, domain and parts with colons', () => {
    const cache = keyspace('rnh:', 'cache');
    expect(cache.prefix).toBe('rnh:cache:');
    expect(cache.key('users', 42)).toBe('rnh:cache:users:42');
    expect(keyspace('rnh:').key('x')).toBe('rnh:x');
    expect(keyspace('rnh:', 'cache', 'users').prefix).toBe('rnh:cache:users:');
  });

  it('nests with child()', () => {
    const profiles = keyspace('rnh:', 'cache').child('users', 'profile');
    expect(profiles.prefix).toBe('rnh:cache:users:profile:');
    expect(profiles.key(42)).toBe('rnh:cache:users:profile:42');
  });

  it('makes SCAN patterns that escape glob characters in the prefix', () => {
    expect(keyspace('rnh:', 'cache').pattern()).toBe('rnh:cache:*');
    expect(keyspace('t[1]*?:', 'x').pattern('user:*')).toBe('t\\[1\\]\\*\\?:x:user:*');
    expect(escapeGlob('a\\b')).toBe('a\\\\b');
  });

  it('makes hash tags for cluster slots', () => {
    const sessions = keyspace('rnh:', 'sess');
    expect(sessions.hashTag('u1')).toBe('{u1}');
    expect(sessions.key(sessions.hashTag(42), 'index')).toBe('rnh:sess:{42}:index');
    expect(() => sessions.hashTag('a}b')).toThrow(RedisClientError);
    expect(() => sessions.hashTag('')).toThrow(/hash tag/);
  });

  it('rejects empty or brace domains and empty keys', () => {
    expect(() => keyspace('rnh:', '')).toThrow(RedisClientError);
    expect(() => keyspace('rnh:', '{x}')).toThrow(/braces/);
    expect(() => keyspace('rnh:', 'cache').key()).toThrow(/at least one part/);
  });
});
