import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startRedisCluster, type RedisClusterHandle } from './redis-cluster.js';

export interface TestRedisCluster {
  readonly cluster: RedisClusterHandle;
  /** A Cluster client on it (connection errors swallowed: tests stop nodes), disconnected after the test. */
  client(): Cluster;
  /** Steps run after each test, last registered first. */
  readonly cleanup: Array<() => unknown>;
}

/** One real Redis Cluster of `masters` masters for the test file (Vitest hooks), and per-test cleanup. */
export function useRedisCluster(masters = 3): TestRedisCluster {
  const state: { cluster?: RedisClusterHandle; cleanup: Array<() => unknown> } = { cleanup: [] };
  beforeAll(async () => {
    state.cluster = await startRedisCluster(masters);
  });
  afterEach(async () => {
    for (const step of state.cleanup.splice(0).reverse()) await step();
  });
  afterAll(() => state.cluster?.destroy());
  return {
    get cluster() {
      return state.cluster!;
    },
    client() {
      const client = new Cluster(state.cluster!.nodes, { redisOptions: { connectTimeout: 5000 } });
      client.on('error', () => undefined);
      state.cleanup.push(() => client.disconnect());
      return client;
    },
    cleanup: state.cleanup,
  };
}
