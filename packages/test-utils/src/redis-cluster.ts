// A real Redis Cluster of N masters (no replicas) on free ports, for Cluster-mode tests.
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';
import { waitFor } from './wait-for.js';

export interface RedisClusterHandle {
  readonly servers: RedisServerHandle[];
  /** One plain (non-cluster) client per master, for inspecting each node. */
  readonly admins: Redis[];
  readonly nodes: Array<{ host: string; port: number }>;
  destroy(): Promise<void>;
}

const SLOTS = 16_384;

/** Starts `masters` servers in cluster mode, splits the slots evenly, and waits until the cluster is ok. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const servers = await Promise.all(
    Array.from({ length: masters }, () =>
      startRedisServer({
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '2000',
        ],
      }),
    ),
  );
  const admins = servers.map(
    (server) => new Redis({ host: server.host, port: server.port, lazyConnect: false }),
  );
  const destroy = async () => {
    await Promise.all(admins.map((admin) => admin.quit().catch(() => admin.disconnect())));
    await Promise.all(servers.map((server) => server.destroy()));
  };
  try {
    await Promise.all(
      admins.map((admin, index) => {
        const first = Math.floor((SLOTS * index) / masters);
        const last = Math.floor((SLOTS * (index + 1)) / masters) - 1;
        return admin.call('CLUSTER', 'ADDSLOTSRANGE', String(first), String(last));
      }),
    );
    for (const server of servers.slice(1))
      await admins[0]!.call('CLUSTER', 'MEET', server.host, String(server.port));
    await waitFor(
      async () => {
        const infos = await Promise.all(
          admins.map((admin) => admin.call('CLUSTER', 'INFO') as Promise<string>),
        );
        return infos.every(
          (info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}`),
        );
      },
      { timeoutMs: 20_000, what: 'the cluster to converge' },
    );
  } catch (error) {
    await destroy();
    throw error;
  }
  return { servers, admins, nodes: servers.map(({ host, port }) => ({ host, port })), destroy };
}
