// A Sentinel-managed group on free ports: a master, its replicas and several Sentinels, with the
// faults a failover test needs (a master that crashes, a failover on request, a node that comes back).
import type { Redis } from 'ioredis';
import { fieldRecords, infoField, nodeInspector, type HostPort } from './node-inspector.js';
import { startRedisSentinel, type RedisSentinelHandle } from './redis-sentinel.js';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';
import { waitFor } from './wait-for.js';

export interface StartRedisSentinelGroupOptions {
  /** Replicas of the master (default 2). */
  replicas?: number;
  /** Sentinel processes (default 3). */
  sentinels?: number;
  /** Sentinels that must agree the master is down before one fails it over (default 2). */
  quorum?: number;
  masterName?: string;
  /** Password of every node (`requirepass`, `masterauth`) and of the Sentinels. */
  password?: string;
  /** How long the master may not answer before a Sentinel thinks it is down (default 1000 ms). */
  downAfterMs?: number;
  /** `failover-timeout`: a failover that stalls is tried again after twice this (default 5000 ms). */
  failoverTimeoutMs?: number;
  /** Every data node keeps an append-only file (`appendfsync everysec`), as a queue's Redis should. */
  appendOnly?: boolean;
}

export interface SentinelWaitOptions {
  /** Default 60 s: a failover on a busy machine can take 10-20 s. */
  timeoutMs?: number;
}

export interface RedisSentinelGroupHandle {
  readonly masterName: string;
  /** The first Sentinel's address: with `masterName`, what a Sentinel client needs (as `startRedisSentinel`'s handle). */
  readonly host: string;
  readonly port: number;
  /** Every Sentinel's address. */
  readonly sentinelAddresses: HostPort[];
  /** The data nodes: `servers[0]` started as the master, the others as its replicas. */
  readonly servers: RedisServerHandle[];
  readonly sentinels: RedisSentinelHandle[];
  /** The master's address as the first Sentinel that answers names it (SENTINEL get-master-addr-by-name). */
  master(): Promise<HostPort>;
  /** Kills the current master with SIGKILL (a crash: nothing flushed, connections cut); resolves with its address. */
  killMaster(): Promise<HostPort>;
  /**
   * SENTINEL FAILOVER (no agreement needed; the master is alive): resolves with the new master
   * once every Sentinel names it and the group is whole again (the old master a replica of it).
   */
  failover(): Promise<HostPort>;
  /** Waits until every Sentinel names a master other than `oldPort` and that node says it is master. */
  waitForNewMaster(oldPort: number, options?: SentinelWaitOptions): Promise<HostPort>;
  /**
   * Waits until every Sentinel names the same master, every running data node replicates it
   * (in sync) and the Sentinels know those replicas, each other, and can reach their quorum.
   */
  waitUntilHealthy(options?: SentinelWaitOptions): Promise<void>;
  /** Starts a stopped or killed data node again on its port and waits until the group is whole (a former master comes back as a replica). */
  restartNode(port: number): Promise<void>;
  /** Stops every Sentinel and node and removes their directories. Safe to call twice. */
  destroy(): Promise<void>;
}

const DEFAULT_WAIT_MS = 60_000;
const POLL_MS = 200;

/** Starts a master, `replicas` replicas of it and `sentinels` Sentinels watching it; resolves once all of them see each other. */
export async function startRedisSentinelGroup(
  options: StartRedisSentinelGroupOptions = {},
): Promise<RedisSentinelGroupHandle> {
  const { replicas = 2, sentinels = 3, quorum = 2, password } = options;
  const masterName = options.masterName ?? 'rnh-master';
  const started: Array<{ destroy(): Promise<void> }> = [];
  const keep = <T extends { destroy(): Promise<void> }>(handle: T): T => {
    started.push(handle);
    return handle;
  };
  try {
    const nodeArgs = [
      ...(password ? ['--masterauth', password] : []),
      // A replica syncs at once, streamed without an RDB file (the default waits 5 s for others).
      ...['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'],
    ];
    const { appendOnly } = options;
    const master = keep(await startRedisServer({ password, appendOnly, args: nodeArgs }));
    const replicaNodes = await Promise.all(
      Array.from({ length: replicas }, async () =>
        keep(
          await startRedisServer({
            password,
            appendOnly,
            args: [...nodeArgs, '--replicaof', `${master.host} ${master.port}`],
          }),
        ),
      ),
    );
    const sentinelNodes = await Promise.all(
      Array.from({ length: sentinels }, async () =>
        keep(
          await startRedisSentinel({
            master,
            masterName,
            password,
            quorum,
            downAfterMs: options.downAfterMs ?? 1000,
            failoverTimeoutMs: options.failoverTimeoutMs ?? 5000,
          }),
        ),
      ),
    );
    const group = keep(new TestSentinelGroup(masterName, [master, ...replicaNodes], sentinelNodes, password));
    await group.waitUntilHealthy();
    return group;
  } catch (error) {
    await Promise.all(started.map((handle) => handle.destroy()));
    throw error;
  }
}

class TestSentinelGroup implements RedisSentinelGroupHandle {
  readonly host: string;
  readonly port: number;
  readonly sentinelAddresses: HostPort[];
  private readonly nodeInspectors = new Map<number, Redis>();
  private readonly sentinelInspectors: Redis[];
  private destroyed = false;

  constructor(
    readonly masterName: string,
    readonly servers: RedisServerHandle[],
    readonly sentinels: RedisSentinelHandle[],
    password: string | undefined,
  ) {
    this.sentinelAddresses = sentinels.map(({ host, port }) => ({ host, port }));
    this.host = sentinels[0]!.host;
    this.port = sentinels[0]!.port;
    for (const server of servers) this.nodeInspectors.set(server.port, nodeInspector(server, password));
    this.sentinelInspectors = sentinels.map((sentinel) => nodeInspector(sentinel, password));
  }

  async master(): Promise<HostPort> {
    let lastError: unknown;
    for (const sentinel of this.sentinelInspectors) {
      try {
        return await this.masterAccordingTo(sentinel);
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error('no Sentinel answered get-master-addr-by-name', { cause: lastError });
  }

  async killMaster(): Promise<HostPort> {
    const master = await this.master();
    await this.server(master.port).kill();
    return master;
  }

  async failover(): Promise<HostPort> {
    const old = await this.master();
    await this.sentinelInspectors[0]!.call('SENTINEL', 'FAILOVER', this.masterName);
    const promoted = await this.waitForNewMaster(old.port);
    await this.waitUntilHealthy();
    return promoted;
  }

  async waitForNewMaster(oldPort: number, options: SentinelWaitOptions = {}): Promise<HostPort> {
    return waitFor(
      async () => {
        const named = await this.agreedMaster();
        if (!named || named.port === oldPort) return undefined;
        const replication = String(await this.node(named.port).info('replication'));
        return infoField(replication, 'role') === 'master' ? named : undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS,
        intervalMs: POLL_MS,
        what: `every Sentinel to name a new master instead of port ${oldPort}`,
      },
    );
  }

  async waitUntilHealthy(options: SentinelWaitOptions = {}): Promise<void> {
    await waitFor(
      async () => {
        const master = await this.agreedMaster();
        if (!master) return false;
        const replicas = this.servers.filter((server) => server.running && server.port !== master.port);
        for (const replica of replicas) {
          const replication = String(await this.node(replica.port).info('replication'));
          if (infoField(replication, 'master_port') !== String(master.port)) return false;
          if (infoField(replication, 'master_link_status') !== 'up') return false;
        }
        for (const sentinel of this.sentinelInspectors) {
          const known = fieldRecords(await sentinel.call('SENTINEL', 'REPLICAS', this.masterName));
          const seen = (port: number) =>
            known.some(
              (entry) => entry.port === String(port) && !/s_down|o_down|disconnected/.test(entry.flags ?? ''),
            );
          if (!replicas.every((replica) => seen(replica.port))) return false;
          const peers = fieldRecords(await sentinel.call('SENTINEL', 'SENTINELS', this.masterName));
          const reachable = peers.filter((peer) => !/s_down|disconnected/.test(peer.flags ?? ''));
          if (reachable.length < this.sentinels.length - 1) return false;
          await sentinel.call('SENTINEL', 'CKQUORUM', this.masterName); // rejects while it cannot
        }
        return true;
      },
      {
        timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS,
        intervalMs: POLL_MS,
        what: 'the Sentinel group to be whole (one master, replicas in sync, Sentinels in quorum)',
      },
    );
  }

  async restartNode(port: number): Promise<void> {
    await this.server(port).restart();
    await this.waitUntilHealthy();
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const inspector of [...this.nodeInspectors.values(), ...this.sentinelInspectors])
      inspector.disconnect();
    // Sentinels first, so that none reconfigures a node while the nodes stop.
    await Promise.all(this.sentinels.map((sentinel) => sentinel.destroy()));
    await Promise.all(this.servers.map((server) => server.destroy()));
  }

  /** The master every Sentinel names, or undefined while they disagree. */
  private async agreedMaster(): Promise<HostPort | undefined> {
    const named = await Promise.all(
      this.sentinelInspectors.map((sentinel) => this.masterAccordingTo(sentinel)),
    );
    const [first] = named;
    return named.every((address) => address.port === first?.port) ? first : undefined;
  }

  private async masterAccordingTo(sentinel: Redis): Promise<HostPort> {
    const reply = await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName);
    if (!Array.isArray(reply) || reply.length < 2)
      throw new Error(`Sentinel knows no master ${this.masterName}`);
    return { host: String(reply[0]), port: Number(reply[1]) };
  }

  private node(port: number): Redis {
    const inspector = this.nodeInspectors.get(port);
    if (!inspector) throw new Error(`no node of this group listens on port ${port}`);
    return inspector;
  }

  private server(port: number): RedisServerHandle {
    const server = this.servers.find((node) => node.port === port);
    if (!server) throw new Error(`no node of this group listens on port ${port}`);
    return server;
  }
}
