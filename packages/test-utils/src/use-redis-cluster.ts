import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  startRedisCluster,
  type RedisClusterHandle,
  type StartRedisClusterOptions,
} from './redis-cluster.js';

export interface TestRedisCluster {
  readonly cluster: RedisClusterHandle;
  /** A Cluster client on it (connection errors swallowed: tests stop nodes), disconnected after the test. */
  client(): Cluster;
  /** Steps run after each test, last registered first. */
  readonly cleanup: Array<() => unknown>;
}

/**
 * One real Redis Cluster for the test file (Vitest hooks), and per-test cleanup. `options` as for
 * `startRedisCluster`: a number of masters, or `{ masters, replicasPerMaster, nodeTimeoutMs }`.
 */
export function useRedisCluster(options: number | StartRedisClusterOptions = 3): TestRedisCluster {
  const state: { cluster?: RedisClusterHandle; cleanup: Array<() => unknown> } = { cleanup: [] };
  beforeAll(async () => {
    state.cluster = await startRedisCluster(options);
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
