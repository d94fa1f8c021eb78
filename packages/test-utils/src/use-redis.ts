// The Redis a package's integration suite runs on: one redis-server by default, or a Redis
// Cluster or a Sentinel group when the run asks for one (`npm run test:topologies`), so the same
// tests prove the package on every topology users deploy.
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, inject, it, type TestFunction } from 'vitest';
import type { HostPort } from './node-inspector.js';
import { startRedisCluster, type RedisClusterHandle } from './redis-cluster.js';
import { startRedisSentinelGroup, type RedisSentinelGroupHandle } from './redis-sentinel-group.js';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';

export const REDIS_TOPOLOGIES = ['standalone', 'cluster', 'sentinel'] as const;
export type RedisTopology = (typeof REDIS_TOPOLOGIES)[number];

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's Redis topology: @rnh/vitest-config provides it (`npm run test:topologies` chooses it). */
    redisTopology?: string;
  }
}

/** The topology this test run targets, as the Vitest config provides it; standalone when none. */
export function testRedisTopology(): RedisTopology {
  const value = inject('redisTopology') ?? 'standalone';
  if (!(REDIS_TOPOLOGIES as readonly string[]).includes(value))
    throw new Error(`Redis topology "${value}": expected one of ${REDIS_TOPOLOGIES.join(', ')}`);
  return value as RedisTopology;
}

let fileUsesTopologyRedis = false;

/**
 * Whether the test file being run called `useRedis()` (each file has its own module instance).
 * On Cluster and Sentinel runs the other files, which start their own server, cluster or group,
 * are reported as skipped instead of counting as passing on a topology they did not use.
 */
export function fileUsesTopology(): boolean {
  return fileUsesTopologyRedis;
}

/** Where the Redis is, in the shape `testConnections()` of @rnh/test-connections takes. */
export type TopologyTarget =
  HostPort | { readonly nodes: readonly HostPort[] } | (HostPort & { readonly masterName: string });

export interface TopologyRedis {
  readonly topology: RedisTopology;
  /** Where the Redis is: a server's address, the cluster's seed nodes, or a Sentinel and the master's name. */
  readonly target: TopologyTarget;
  /**
   * A client for looking at (or tampering with) what the code under test stored: on Cluster a
   * Cluster client, so a key command reaches the node that holds the key; behind Sentinel a
   * client of the current master. Node commands (INFO, CONFIG, CLIENT) only mean something on
   * standalone.
   */
  readonly admin: Redis | Cluster;
  /** The standalone redis-server, to stop, freeze or restart. Other topologies throw: run such tests with `itOnStandalone`. */
  readonly server: RedisServerHandle;
  /** The cluster, on the cluster topology (to kill a master or fail it over). */
  readonly cluster: RedisClusterHandle | undefined;
  /** The Sentinel group, on the sentinel topology. */
  readonly sentinelGroup: RedisSentinelGroupHandle | undefined;
  /** Steps run after each test, last registered first. */
  readonly cleanup: Array<() => Promise<void> | void>;
}

interface Started {
  target: TopologyTarget;
  admin: Redis | Cluster;
  server?: RedisServerHandle;
  cluster?: RedisClusterHandle;
  sentinelGroup?: RedisSentinelGroupHandle;
  destroy(): Promise<void>;
}

/**
 * One real Redis of the run's topology for the test file (Vitest hooks), an admin client on it,
 * and per-test cleanup. Cluster: 3 masters. Sentinel: a master, a replica and one Sentinel
 * (failover itself is tested with `startRedisSentinelGroup`). Each test keeps to its own key
 * prefix, as on a shared production Redis.
 */
export function useRedis(topology: RedisTopology = testRedisTopology()): TopologyRedis {
  fileUsesTopologyRedis = true;
  const state: { started?: Started; cleanup: Array<() => Promise<void> | void> } = { cleanup: [] };
  beforeAll(async () => {
    state.started = await start(topology);
  });
  afterEach(async () => {
    for (const step of state.cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    await state.started?.destroy();
  });
  const started = (): Started => {
    if (!state.started)
      throw new Error('useRedis(): the Redis starts in beforeAll; use it inside a test or hook');
    return state.started;
  };
  return {
    topology,
    get target() {
      return started().target;
    },
    get admin() {
      return started().admin;
    },
    get server() {
      const { server } = started();
      if (!server)
        throw new Error(
          `this test needs the standalone redis-server, but the run is on ${topology}: declare it with itOnStandalone`,
        );
      return server;
    },
    get cluster() {
      return started().cluster;
    },
    get sentinelGroup() {
      return started().sentinelGroup;
    },
    cleanup: state.cleanup,
  };
}

async function start(topology: RedisTopology): Promise<Started> {
  if (topology === 'cluster') {
    const cluster = await startRedisCluster({ masters: 3 });
    const admin = new Cluster(cluster.nodes, { redisOptions: { connectTimeout: 10_000 } });
    admin.on('error', () => undefined);
    return {
      target: { nodes: cluster.nodes },
      admin,
      cluster,
      async destroy() {
        admin.disconnect();
        await cluster.destroy();
      },
    };
  }
  if (topology === 'sentinel') {
    const sentinelGroup = await startRedisSentinelGroup({ replicas: 1, sentinels: 1, quorum: 1 });
    const { host, port, masterName } = sentinelGroup;
    const admin = new Redis({ sentinels: [{ host, port }], name: masterName, connectTimeout: 10_000 });
    admin.on('error', () => undefined);
    return {
      target: { host, port, masterName },
      admin,
      sentinelGroup,
      async destroy() {
        admin.disconnect();
        await sentinelGroup.destroy();
      },
    };
  }
  const server = await startRedisServer();
  const admin = new Redis({ host: server.host, port: server.port });
  // Tests that stop the server make this client fail too; that is expected.
  admin.on('error', () => undefined);
  return {
    target: { host: server.host, port: server.port },
    admin,
    server,
    async destroy() {
      admin.disconnect();
      await server.destroy();
    },
  };
}

/**
 * `it` for a test that needs the one standalone redis-server (stopping, freezing or restarting it,
 * or reading its INFO and CONFIG). Runs in the default run; on Cluster and Sentinel runs it is
 * reported as skipped, and those topologies' own fault tests cover their failures.
 */
export function itOnStandalone(name: string, test: TestFunction, timeoutMs?: number): void {
  it.skipIf(testRedisTopology() !== 'standalone')(name, test, timeoutMs);
}

/** `describe` for a group of such tests. */
export function describeOnStandalone(name: string, body: () => void): void {
  describe.skipIf(testRedisTopology() !== 'standalone')(name, body);
}
