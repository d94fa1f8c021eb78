import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { RedisConnectionError } from '../errors.js';
import { clusterReady } from './cluster-ready.js';

export interface ClusterChannelEvents {
  message(text: string): void;
  /** The connection closed, or moved to another master: messages may be missed from now on. */
  closed(): void;
  /** Subscribed again on a ready connection. */
  ready(): void;
}

/**
 * One classic pub/sub channel on a Redis Cluster, for ChannelSubscription. A Cluster copies each
 * PUBLISH to every node, so a SUBSCRIBE on any master hears them all. The connection is this
 * class's own, with the cluster's connection settings (credentials, TLS): ioredis's Cluster
 * replaces its own subscriber connection out of sight, and the messages lost meanwhile would go
 * unnoticed. When the slot table no longer names the node as a master (a failover, a removed
 * node), the channel moves to another master. Each message is also emitted as `message` on the
 * Cluster client (once per subscription of the channel), after the subscription's own handler.
 */
export class ClusterChannel {
  private link: Redis | undefined;
  /** The link's node, `host:port` as the slot table names it. */
  private node = '';
  /** Redis confirmed the SUBSCRIBE on the current link (ioredis repeats it after a reconnect). */
  private confirmed = false;
  /** A SUBSCRIBE of ours is on its way. */
  private subscribing = false;
  private closed = false;
  private readonly detach: Array<() => void> = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly channel: string,
    private readonly events: ClusterChannelEvents,
  ) {
    // Emitted after each reading of the slot table.
    const onRefresh = () => void this.followMasters();
    cluster.on('refresh', onRefresh);
    this.detach.push(() => cluster.off('refresh', onRefresh));
  }

  /** Subscribed on a ready connection. */
  get ready(): boolean {
    return this.confirmed && this.link?.status === 'ready';
  }

  /** Subscribes on a master of the cluster; resolves once that master confirmed it. */
  async start(): Promise<void> {
    const masters = await this.masters();
    if (masters.length === 0)
      throw new RedisConnectionError('no Redis Cluster master is known: the cluster is not connected');
    await this.confirm(this.open(pick(masters)));
  }

  /** Unsubscribes and closes the connection. */
  close(): void {
    this.closed = true;
    for (const step of this.detach.splice(0)) step();
    this.drop();
  }

  private open(node: string): Redis {
    const separator = node.lastIndexOf(':');
    const shared: RedisOptions = this.cluster.options.redisOptions ?? {};
    const link = new Redis({
      ...shared,
      host: node.slice(0, separator),
      port: Number(node.slice(separator + 1)),
      // Channel names are exact; pub/sub commands take no prefix anyway.
      keyPrefix: undefined,
      lazyConnect: false,
      enableOfflineQueue: true,
      enableAutoPipelining: false,
      autoResubscribe: true,
      connectionName: shared.connectionName ? `${shared.connectionName}:channel` : undefined,
    });
    this.link = link;
    this.node = node;
    link.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      this.events.message(text);
      // The Cluster client reports the message too, as it does for the channels it subscribes itself.
      this.cluster.emit('message', channel, text);
    });
    link.on('close', () => this.events.closed());
    link.on('ready', () => {
      if (this.confirmed) this.events.ready();
      else if (!this.subscribing) void this.confirm(link).then(() => this.events.ready(), noop);
    });
    // A connection error may mean a failover: reading the slot table again shows where to go.
    link.on('error', () => this.cluster.refreshSlotsCache());
    return link;
  }

  private async confirm(link: Redis): Promise<void> {
    this.subscribing = true;
    try {
      await link.subscribe(this.channel);
      if (link === this.link) this.confirmed = true;
    } finally {
      if (link === this.link) this.subscribing = false;
    }
  }

  private drop(): void {
    const link = this.link;
    this.link = undefined;
    this.confirmed = false;
    this.subscribing = false;
    if (!link) return;
    link.removeAllListeners();
    link.on('error', noop);
    link.disconnect();
  }

  /** After a slot table change: a node that is not a master any more is left for another master. */
  private async followMasters(): Promise<void> {
    if (this.closed || !this.link) return;
    const masters = mastersOf(this.cluster);
    if (masters.length === 0 || masters.includes(this.node)) return;
    this.drop();
    this.events.closed();
    const link = this.open(pick(masters));
    try {
      await this.confirm(link);
    } catch {
      return; // the link's next 'ready' subscribes
    }
    if (link === this.link && link.status === 'ready') this.events.ready();
  }

  /** The masters of the slot table, once the cluster is connected (it knows none before). */
  private async masters(): Promise<string[]> {
    await clusterReady(this.cluster);
    return mastersOf(this.cluster);
  }
}

/** The masters the slot table names, `host:port`. */
function mastersOf(cluster: Cluster): string[] {
  const owners = new Set<string>();
  for (const nodes of cluster.slots) if (nodes?.[0]) owners.add(nodes[0]);
  return [...owners];
}

function pick(nodes: string[]): string {
  return nodes[Math.floor(Math.random() * nodes.length)]!;
}

const noop = (): void => undefined;
