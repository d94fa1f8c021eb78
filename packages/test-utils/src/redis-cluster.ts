// A real Redis Cluster on free ports: N masters, with replicas if asked, and the faults a test
// needs (a master that crashes, a manual failover, a node that comes back).
import { Redis } from 'ioredis';
import { ownerOfSlot, parseClusterNodes, type ClusterNodeView } from './cluster-nodes.js';
import { infoField, nodeInspector } from './node-inspector.js';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';
import { waitFor } from './wait-for.js';

export interface StartRedisClusterOptions {
  /** Masters, each serving an even share of the 16384 slots (default 3). */
  masters?: number;
  /** Replicas of each master (default 0); a master without one cannot be failed over. */
  replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a node may be unreachable before it counts as failed (default 2000). */
  nodeTimeoutMs?: number;
}

/** A condition on the cluster's view of its nodes, or "the master of `slot` is not on `notPort`". */
export type ExpectedTopology =
  ((nodes: ClusterNodeView[]) => boolean) | { readonly slot: number; readonly notPort: number };

export interface WaitOptions {
  /** Default 60 s: a failover on a busy machine can take 10-20 s. */
  timeoutMs?: number;
}

export interface RedisClusterHandle {
  /** The nodes started as masters, in slot order: `servers[i]` was given shard i (the i-th share of the slots). */
  readonly servers: RedisServerHandle[];
  /** One plain client per `servers` entry, for inspecting each node. */
  readonly admins: Redis[];
  /** The nodes started as replicas: those of `servers[i]` are `replicas[i * replicasPerMaster + k]`. */
  readonly replicas: RedisServerHandle[];
  /** The addresses of `servers`: seed nodes for a Cluster client. */
  readonly nodes: Array<{ host: string; port: number }>;
  /** Every node (role, address, slots, failure flags) as a running node sees the cluster now. */
  topology(): Promise<ClusterNodeView[]>;
  /**
   * Kills with SIGKILL (a crash: nothing flushed, connections cut) the master that serves shard
   * `target` now, or the master on `{ port }`. Resolves with that master as it was.
   */
  killMaster(target: number | { port: number }): Promise<ClusterNodeView>;
  /**
   * CLUSTER FAILOVER (a manual failover: the master pauses its clients until the replica has
   * caught up, so no acknowledged write is lost) on a replica of shard `target` or on the replica
   * `{ port }`. Resolves with the topology once that replica serves the slots and the cluster is whole.
   */
  failover(target: number | { port: number }): Promise<ClusterNodeView[]>;
  /** Waits until every running node says `cluster_state:ok` and its view meets `expected`; resolves with one view. */
  waitForTopology(expected: ExpectedTopology, options?: WaitOptions): Promise<ClusterNodeView[]>;
  /**
   * Waits until every running node says `cluster_state:ok`, sees every other running node as
   * connected, agrees on which master each replica follows, and every running replica is in sync.
   */
  waitUntilHealthy(options?: WaitOptions): Promise<void>;
  /** Starts a stopped or killed node again on its port and waits until the cluster is whole (a former master comes back as a replica). */
  restartNode(port: number): Promise<void>;
  /** Stops every node and removes their directories. Safe to call twice. */
  destroy(): Promise<void>;
}

const SLOTS = 16_384;
const DEFAULT_WAIT_MS = 60_000;
const POLL_MS = 200;

function clusterArgs(nodeTimeoutMs: number): string[] {
  return [
    ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
    ...['--cluster-node-timeout', String(nodeTimeoutMs)],
    // A replica may always take over, however long it was cut off from its master before.
    ...['--cluster-replica-validity-factor', '0'],
    // Replicas stay with the master they were given, so a test knows which one takes over.
    ...['--cluster-allow-replica-migration', 'no'],
    // A replica syncs at once, streamed without an RDB file (the default waits 5 s for others).
    ...['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'],
  ];
}

/**
 * Starts a Redis Cluster of `masters` masters (each with `replicasPerMaster` replicas) on free
 * loopback ports, splits the slots evenly, and resolves once every node says the cluster is ok
 * and every replica is in sync. `startRedisCluster(3)` is `startRedisCluster({ masters: 3 })`.
 */
export async function startRedisCluster(
  options: number | StartRedisClusterOptions = {},
): Promise<RedisClusterHandle> {
  const {
    masters = 3,
    replicasPerMaster = 0,
    nodeTimeoutMs = 2000,
  } = typeof options === 'number' ? { masters: options } : options;
  const args = clusterArgs(nodeTimeoutMs);
  const started = await Promise.allSettled(
    Array.from({ length: masters * (1 + replicasPerMaster) }, () => startRedisServer({ args })),
  );
  const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(running.map((server) => server.destroy()));
    throw failed.reason;
  }
  const cluster = new TestCluster(running.slice(0, masters), running.slice(masters));
  try {
    await cluster.form();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}

class TestCluster implements RedisClusterHandle {
  readonly admins: Redis[];
  readonly nodes: Array<{ host: string; port: number }>;
  private readonly inspectors = new Map<number, Redis>();
  private destroyed = false;

  constructor(
    readonly servers: RedisServerHandle[],
    readonly replicas: RedisServerHandle[],
  ) {
    this.nodes = servers.map(({ host, port }) => ({ host, port }));
    this.admins = servers.map((server) => {
      const admin = new Redis({ host: server.host, port: server.port });
      // A test that kills a node makes its admin client fail too; that is expected.
      admin.on('error', () => undefined);
      return admin;
    });
    for (const server of this.all()) this.inspectors.set(server.port, nodeInspector(server));
  }

  /** Gives each master its slots, joins every node, attaches each replica, and waits until all is well. */
  async form(): Promise<void> {
    await Promise.all(
      this.all().map(({ port }) =>
        waitFor(() => this.ask(port, 'PING'), {
          timeoutMs: DEFAULT_WAIT_MS,
          intervalMs: 50,
          what: `node ${port}`,
        }),
      ),
    );
    await Promise.all(
      this.servers.map((_, shard) =>
        this.ask(
          this.servers[shard]!.port,
          'CLUSTER',
          'ADDSLOTSRANGE',
          this.firstSlot(shard),
          this.lastSlot(shard),
        ),
      ),
    );
    const [first, ...others] = this.all();
    for (const other of others) await this.ask(first!.port, 'CLUSTER', 'MEET', other.host, other.port);
    const total = this.all().length;
    await waitFor(
      async () => {
        const infos = await Promise.all(this.all().map((server) => this.ask(server.port, 'CLUSTER', 'INFO')));
        return infos.every((info) => infoField(String(info), 'cluster_known_nodes') === String(total));
      },
      { timeoutMs: DEFAULT_WAIT_MS, intervalMs: POLL_MS, what: `all ${total} cluster nodes to meet` },
    );
    const perMaster = this.replicas.length / this.servers.length;
    for (const [index, replica] of this.replicas.entries()) {
      const masterId = String(
        await this.ask(this.servers[Math.floor(index / perMaster)]!.port, 'CLUSTER', 'MYID'),
      );
      await waitFor(() => this.ask(replica.port, 'CLUSTER', 'REPLICATE', masterId), {
        timeoutMs: DEFAULT_WAIT_MS,
        intervalMs: POLL_MS,
        what: `node ${replica.port} to replicate ${masterId}`,
      });
    }
    await this.waitUntilHealthy();
  }

  async topology(): Promise<ClusterNodeView[]> {
    let lastError: unknown;
    for (const server of this.all().filter((node) => node.running)) {
      try {
        return parseClusterNodes(String(await this.ask(server.port, 'CLUSTER', 'NODES')));
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error('no node of the cluster answered CLUSTER NODES', { cause: lastError });
  }

  async killMaster(target: number | { port: number }): Promise<ClusterNodeView> {
    const nodes = await this.topology();
    const victim =
      typeof target === 'number'
        ? ownerOfSlot(nodes, this.firstSlot(target))
        : nodes.find((node) => node.port === target.port);
    if (victim?.role !== 'master')
      throw new Error(`no master to kill for ${JSON.stringify(target)} in:\n${describeNodes(nodes)}`);
    await this.server(victim.port).kill();
    return victim;
  }

  async failover(target: number | { port: number }): Promise<ClusterNodeView[]> {
    const nodes = await this.topology();
    const master = typeof target === 'number' ? ownerOfSlot(nodes, this.firstSlot(target)) : undefined;
    const replica = nodes.find((node) =>
      typeof target === 'number'
        ? node.role === 'replica' && node.masterId === master?.id && this.server(node.port).running
        : node.port === target.port && node.role === 'replica',
    );
    if (!replica)
      throw new Error(
        `no replica to fail over to for ${JSON.stringify(target)} in:\n${describeNodes(nodes)}`,
      );
    const promoted = (view: ClusterNodeView[]) => {
      const node = view.find(({ port }) => port === replica.port);
      return node?.role === 'master' && node.slots.length > 0;
    };
    // A manual failover gives up after 5 s if the master is too slow to hand over (a busy
    // machine): then it is asked again.
    for (let attempt = 1; ; attempt++) {
      await this.ask(replica.port, 'CLUSTER', 'FAILOVER');
      try {
        await this.waitForTopology(promoted, { timeoutMs: 20_000 });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    await this.waitUntilHealthy();
    return this.topology();
  }

  async waitForTopology(expected: ExpectedTopology, options: WaitOptions = {}): Promise<ClusterNodeView[]> {
    const meets =
      typeof expected === 'function'
        ? expected
        : (nodes: ClusterNodeView[]) => {
            const owner = ownerOfSlot(nodes, expected.slot);
            return owner !== undefined && owner.port !== expected.notPort && !owner.failing;
          };
    const what =
      typeof expected === 'function'
        ? 'the cluster topology a test expects'
        : `the master of slot ${expected.slot} not to be port ${expected.notPort}`;
    let seen: ClusterNodeView[] = [];
    await waitFor(
      async () => {
        const views = await this.views();
        seen = views[0]?.nodes ?? [];
        return views.length > 0 && views.every((view) => view.ok && meets(view.nodes));
      },
      { timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS, intervalMs: POLL_MS, what },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen:\n${describeNodes(seen)}`, { cause: error.cause });
    });
    return seen;
  }

  async waitUntilHealthy(options: WaitOptions = {}): Promise<void> {
    let seen: ClusterNodeView[] = [];
    await waitFor(
      async () => {
        const views = await this.views();
        seen = views[0]?.nodes ?? [];
        if (!views.every((view) => view.ok)) return false;
        // What each running node says of itself: a replica names its master.
        const selves = views.map((view) => view.nodes.find((node) => node.port === view.port)!);
        const agreed = views.every((view) =>
          selves.every((self) => {
            const seenThere = view.nodes.find((node) => node.port === self.port);
            return (
              seenThere !== undefined &&
              seenThere.connected &&
              !seenThere.failing &&
              seenThere.role === self.role &&
              seenThere.masterId === self.masterId
            );
          }),
        );
        if (!agreed) return false;
        for (const self of selves.filter((node) => node.role === 'replica')) {
          const replication = String(await this.ask(self.port, 'INFO', 'replication'));
          if (infoField(replication, 'master_link_status') !== 'up') return false;
        }
        return true;
      },
      {
        timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS,
        intervalMs: POLL_MS,
        what: 'the cluster to be whole',
      },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last seen:\n${describeNodes(seen)}`, { cause: error.cause });
    });
  }

  async restartNode(port: number): Promise<void> {
    await this.server(port).restart();
    await this.waitUntilHealthy();
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const inspector of this.inspectors.values()) inspector.disconnect();
    await Promise.all(this.admins.map((admin) => admin.quit().catch(() => admin.disconnect())));
    await Promise.all(this.all().map((server) => server.destroy()));
  }

  /** CLUSTER INFO and CLUSTER NODES of every running node; rejects if one does not answer. */
  private views(): Promise<Array<{ port: number; ok: boolean; nodes: ClusterNodeView[] }>> {
    return Promise.all(
      this.all()
        .filter((server) => server.running)
        .map(async ({ port }) => {
          const [info, nodes] = await Promise.all([
            this.ask(port, 'CLUSTER', 'INFO'),
            this.ask(port, 'CLUSTER', 'NODES'),
          ]);
          return {
            port,
            ok: infoField(String(info), 'cluster_state') === 'ok',
            nodes: parseClusterNodes(String(nodes)),
          };
        }),
    );
  }

  private ask(port: number, command: string, ...args: Array<string | number>): Promise<unknown> {
    return this.inspectors.get(port)!.call(command, ...args);
  }

  private all(): RedisServerHandle[] {
    return [...this.servers, ...this.replicas];
  }

  private server(port: number): RedisServerHandle {
    const server = this.all().find((node) => node.port === port);
    if (!server) throw new Error(`no node of this cluster listens on port ${port}`);
    return server;
  }

  private firstSlot(shard: number): number {
    if (!Number.isInteger(shard) || shard < 0 || shard >= this.servers.length)
      throw new Error(`shard must be 0..${this.servers.length - 1} (got ${shard})`);
    return Math.floor((SLOTS * shard) / this.servers.length);
  }

  private lastSlot(shard: number): number {
    return Math.floor((SLOTS * (shard + 1)) / this.servers.length) - 1;
  }
}

function describeNodes(nodes: readonly ClusterNodeView[]): string {
  return nodes
    .map(
      (node) =>
        `  ${node.port} ${node.role}${node.failing ? ' failing' : ''}${node.connected ? '' : ' disconnected'}` +
        (node.slots.length > 0 ? ` slots ${node.slots.map(([a, b]) => `${a}-${b}`).join(',')}` : ''),
    )
    .join('\n');
}
