import { describe, expect, it } from 'vitest';
import { findRedisServerBinary, RedisServerNotInstalledError } from '../src/index.js';

describe('findRedisServerBinary', () => {
  it('explains how to install redis-server when the binary is missing', () => {
    expect(() => findRedisServerBinary('/nonexistent/redis-server')).toThrow(RedisServerNotInstalledError);
    expect(() => findRedisServerBinary('/nonexistent/redis-server')).toThrow(
      /apt-get install -y redis-server/,
    );
  });
});
