import { describe, expect, it } from 'vitest';
import { parseRedisInfo } from './parse-info.js';

describe('parseRedisInfo', () => {
  it('parses sections into a flat map, keeping values with colons', () => {
    const text = [
      '# Server',
      'redis_version:7.0.15',
      'redis_mode:standalone',
      'executable:/usr/bin/redis-server',
      '',
      '# Memory',
      'used_memory:1048576',
      'maxmemory:0',
      'mem_fragmentation_ratio:3.21',
      '# Keyspace',
      'db0:keys=1,expires=0,avg_ttl=0',
      'weird line without colon',
      '',
    ].join('\r\n');
    expect(parseRedisInfo(text)).toEqual({
      redis_version: '7.0.15',
      redis_mode: 'standalone',
      executable: '/usr/bin/redis-server',
      used_memory: '1048576',
      maxmemory: '0',
      mem_fragmentation_ratio: '3.21',
      db0: 'keys=1,expires=0,avg_ttl=0',
    });
  });

  it('returns an empty map for empty text', () => {
    expect(parseRedisInfo('')).toEqual({});
  });
});
