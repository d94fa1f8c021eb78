import { useRedisServer } from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { testConnections } from '../src/index.js';

const redis = useRedisServer();

async function clientNames(): Promise<string[]> {
  const list = String(await redis.admin.client('LIST'));
  return [...list.matchAll(/ name=(\S*)/g)].map((match) => match[1]!).filter(Boolean);
}

describe('testConnections', () => {
  it('works on the test server under a key prefix of its own, and close() leaves no connection open', async () => {
    const first = testConnections(redis.server);
    const second = testConnections(redis.server);
    try {
      expect(first.keys.prefix).not.toBe(second.keys.prefix);
      await first.connect();
      await first.shared('commands').set(first.keys.key('probe'), 'v');
      expect(await redis.admin.get(first.keys.key('probe'))).toBe('v');
      expect(await clientNames()).toContain('rnh:commands');
    } finally {
      await first.close();
      await second.close();
    }
    expect(await clientNames()).toEqual([]);
  });

  it('takes what it is given: a key prefix, a registry', async () => {
    const registry = new Registry();
    const connections = testConnections(redis.server, { keyPrefix: 'given:', registry });
    try {
      await connections.connect();
      expect(connections.keys.prefix).toBe('given:');
      expect(await registry.metrics()).toMatch(/redis_server_up\{node="127\.0\.0\.1:\d+"\} 1/);
    } finally {
      await connections.close();
    }
  });
});
