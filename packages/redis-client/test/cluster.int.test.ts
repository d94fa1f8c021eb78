// Cluster mode against three real masters: commands, concurrent scripts, INFO per master, close.
import { startRedisCluster, uniquePrefix, type RedisClusterHandle } from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRedisOptions } from '../src/config/defaults.js';
import { RedisConnections } from '../src/connection/connections.js';
import { ScriptRegistry } from '../src/scripts/registry.js';
import { memoryLogger } from './helpers.js';

let cluster: RedisClusterHandle;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(() => cluster?.destroy());

describe('on Redis Cluster (3 masters)', () => {
  it('runs commands and concurrent auto-pipelined scripts for keys on every master', async () => {
    const registry = new Registry();
    const connections = new RedisConnections({
      options: defaultRedisOptions({
        mode: 'cluster',
        clusterNodes: cluster.nodes,
        keyPrefix: uniquePrefix('rcc'),
        connectTimeoutMs: 5000,
      }),
      logger: memoryLogger().logger,
      registry,
    });
    const scripts = new ScriptRegistry();
    const incrBy = scripts.define({
      name: 'incrBy',
      lua: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
      keys: 1,
    });
    try {
      await connections.connect();
      const redis = connections.shared('commands');
      const keys = Array.from({ length: 60 }, (_, index) => connections.keys.key('counter', index));

      // Many scripts leave in one tick: they must each reach their own key's master.
      const results = await Promise.all(keys.map((key) => incrBy.run(redis, [key], [2])));
      expect(results).toEqual(keys.map(() => 2));
      const perMaster = await Promise.all(cluster.admins.map((admin) => admin.dbsize()));
      expect(perMaster.every((count) => count > 0)).toBe(true);
      expect(perMaster.reduce((sum, count) => sum + count, 0)).toBe(60);

      const text = await registry.metrics();
      for (const { host, port } of cluster.nodes)
        expect(text).toContain(`redis_server_up{node="${host}:${port}"} 1`);
      expect(text).toMatch(
        /db_client_operation_duration_seconds_count\{[^}]*db_operation_name="evalsha"[^}]*\} [1-9]/,
      );
    } finally {
      await connections.close();
    }
    expect(connections.shared.bind(connections, 'commands')).toThrow();
  });
});
