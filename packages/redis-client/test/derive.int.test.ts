// duplicateForRole: the queue's connections made from a user's own client, standalone and Cluster.
import { startRedisCluster, useRedisServer, type RedisClusterHandle } from '@rnh/test-utils';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duplicateForRole } from '../src/contract/derive.js';

const server = useRedisServer();

describe('duplicateForRole on a standalone client', () => {
  it('a worker copy never gives up on a command, a producer copy has no offline queue; the user client is untouched', async () => {
    const user = new Redis({ host: server.server.host, port: server.server.port, lazyConnect: true });
    const worker = duplicateForRole(user, 'worker') as Redis;
    const producer = duplicateForRole(user, 'producer') as Redis;
    try {
      expect(worker.options.maxRetriesPerRequest).toBeNull(); // BullMQ refuses a blocking connection without it
      expect(producer.options.enableOfflineQueue).toBe(false);
      expect(producer.options.maxRetriesPerRequest).toBe(1);
      expect(await worker.ping()).toBe('PONG');
      expect(user.status).toBe('wait'); // never connected by the copies
      expect(user.options.maxRetriesPerRequest).toBe(20);
    } finally {
      worker.disconnect();
      producer.disconnect();
      user.disconnect();
    }
  });
});

describe('duplicateForRole on a Cluster client', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  });
  afterAll(() => cluster?.destroy());

  it('copies the cluster with the role settings for every node connection', async () => {
    const user = new Cluster(cluster.nodes);
    const worker = duplicateForRole(user, 'worker') as Cluster;
    try {
      expect(worker.isCluster).toBe(true);
      expect(worker.options.redisOptions?.maxRetriesPerRequest).toBeNull();
      await worker.set('{derive}:k', '1');
      expect(await user.get('{derive}:k')).toBe('1');
    } finally {
      worker.disconnect();
      user.disconnect();
    }
  });
});
