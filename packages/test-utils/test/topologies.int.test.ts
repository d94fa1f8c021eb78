// The Cluster and Sentinel topologies tests fail over: they form, fail over, take a node back,
// and leave nothing behind.
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ownerOfSlot, startRedisCluster, startRedisSentinelGroup } from '../src/index.js';

const TEST_TIMEOUT_MS = 120_000;

async function role(port: number): Promise<string> {
  const client = new Redis({ port, lazyConnect: true });
  try {
    await client.connect();
    return String((await client.role())[0]);
  } finally {
    client.disconnect();
  }
}

describe('startRedisCluster with replicas', () => {
  it(
    'forms 3 shards of a master and a replica, promotes the replica of a killed master, and takes the master back as a replica',
    async () => {
      const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
      onTestFinished(() => cluster.destroy());

      const nodes = await cluster.topology();
      const masters = nodes.filter((node) => node.role === 'master');
      expect(masters.map((node) => node.port).sort()).toEqual(
        cluster.servers.map((server) => server.port).sort(),
      );
      for (const slot of [0, 5000, 10_000, 16_383]) expect(ownerOfSlot(nodes, slot)).toBeDefined();
      for (const master of masters)
        expect(nodes.filter((node) => node.masterId === master.id).map((node) => node.role)).toEqual([
          'replica',
        ]);

      const killed = await cluster.killMaster(1);
      expect(killed.port).toBe(cluster.servers[1]!.port);
      const replica = nodes.find((node) => node.masterId === killed.id)!;
      const slot = killed.slots[0]![0];
      const after = await cluster.waitForTopology({ slot, notPort: killed.port });
      expect(ownerOfSlot(after, slot)?.port).toBe(replica.port);

      await cluster.restartNode(killed.port);
      const back = (await cluster.topology()).find((node) => node.port === killed.port)!;
      expect(back.role).toBe('replica');
      expect(back.masterId).toBe(replica.id);

      const handedBack = await cluster.failover({ port: killed.port });
      expect(ownerOfSlot(handedBack, slot)?.port).toBe(killed.port);

      await cluster.destroy();
      for (const server of [...cluster.servers, ...cluster.replicas]) {
        expect(server.running).toBe(false);
        expect(existsSync(server.dir)).toBe(false);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it('keeps the old call shape: startRedisCluster(3) is 3 masters without replicas', async () => {
    const cluster = await startRedisCluster(3);
    onTestFinished(() => cluster.destroy());
    const nodes = await cluster.topology();
    expect(nodes.map((node) => node.role)).toEqual(['master', 'master', 'master']);
    expect(cluster.replicas).toEqual([]);
    expect(cluster.nodes.map((node) => node.port)).toEqual(cluster.servers.map((server) => server.port));
  });
});

describe('startRedisSentinelGroup', () => {
  it(
    'promotes a replica when the master is killed, takes the old master back as a replica, and fails over on request',
    async () => {
      const group = await startRedisSentinelGroup({ replicas: 2, sentinels: 3, quorum: 2 });
      onTestFinished(() => group.destroy());
      const [first, ...replicas] = group.servers;
      expect(await group.master()).toEqual({ host: '127.0.0.1', port: first!.port });

      const killed = await group.killMaster();
      const promoted = await group.waitForNewMaster(killed.port);
      expect(replicas.map((replica) => replica.port)).toContain(promoted.port);
      expect(await role(promoted.port)).toBe('master');

      await group.restartNode(killed.port);
      expect(await role(killed.port)).toBe('slave');

      const next = await group.failover();
      expect(next.port).not.toBe(promoted.port);
      expect(await role(promoted.port)).toBe('slave');

      await group.destroy();
      for (const server of group.servers) {
        expect(server.running).toBe(false);
        expect(existsSync(server.dir)).toBe(false);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
