import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { RedisConnectionError } from '../errors.js';
import { clusterReady } from './cluster-ready.js';
import { keySlot } from './key-slot.js';

export interface ShardSubscribersEvents {
  message(channel: string, text: string): void;
  /** Channels that had been lost (a connection came back, a slot moved) are subscribed again, confirmed. */
  resubscribed(): void;
  /** A shard's connection closed: what is published on its channels is lost until `resubscribed`. */
  disconnected(): void;
}

/** A channel answered MOVED: the slot table was stale; it is read again and the channel placed anew. */
class SlotMovedError extends Error {}

/** Placing a channel gives up after this many tries (a cluster that keeps resharding). */
const MAX_TRIES = 5;

interface Link {
  redis: Redis;
  /** The connection closed since it was last ready: its subscriptions are gone. */
  lost: boolean;
  /** SSUBSCRIBEs waiting for their confirmation, failed at once when the node answers MOVED. */
  waiting: Set<(error: Error) => void>;
}

interface Home {
  slot: number;
  /** The master (`host:port`, as the cluster's slot table names it) the channel is subscribed on. */
  node: string;
  /**
   * An SSUBSCRIBE of it is on its way (ioredis resends it after a reconnect): nothing else
   * subscribes it meanwhile, so there is never more than one in flight per channel.
   */
  placing: boolean;
}

/**
 * SSUBSCRIBE on Redis Cluster: a shard channel can only be subscribed on the master that owns its
 * slot, so this keeps one subscriber connection per master (with the cluster's connection
 * settings: credentials, TLS) and each channel on its slot's owner. When a connection comes back,
 * or the slot table changes (a failover, a slot moved: the old owner then drops the subscription),
 * the channels concerned are subscribed again where they now belong, and `resubscribed` runs once
 * Redis has confirmed every one, so a reader of a durable copy can catch up without a gap.
 *
 * Why not ioredis's own `shardedSubscribers` option (5.9): after a slot migration its subscription
 * is silently gone until something else refreshes the slot table, its re-subscriptions are sent
 * without waiting for Redis to confirm them, and an SSUBSCRIBE answered MOVED never settles. Here
 * the same connections are kept, but placement and confirmation are ours.
 */
export class ShardSubscribers {
  private readonly links = new Map<string, Link>();
  private readonly homes = new Map<string, Home>();
  private readonly detach: Array<() => void> = [];
  private closed = false;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly events: ShardSubscribersEvents,
  ) {
    // Emitted after each reading of the slot table: move the channels whose slot changed owner.
    const onRefresh = () => void this.relocate();
    cluster.on('refresh', onRefresh);
    this.detach.push(() => cluster.off('refresh', onRefresh));
  }

  /** SSUBSCRIBE on the master that owns the channel's slot; resolves once that master confirmed it. */
  async subscribe(channel: string): Promise<void> {
    const home: Home = { slot: keySlot(channel), node: '', placing: false };
    this.homes.set(channel, home);
    try {
      await this.place(channel, home);
    } catch (error) {
      if (this.homes.get(channel) === home) this.homes.delete(channel);
      throw error;
    }
  }

  /** Stops the channel (best effort: a connection that is down holds no subscription anyway). */
  unsubscribe(channel: string): void {
    const home = this.homes.get(channel);
    this.homes.delete(channel);
    if (home) this.release(channel, home.node);
  }

  /** Closes the subscriber connections (they are this class's own). */
  close(): void {
    this.closed = true;
    for (const step of this.detach.splice(0)) step();
    this.homes.clear();
    for (const link of this.links.values()) link.redis.disconnect();
    this.links.clear();
  }

  /**
   * Subscribes `channel` on its slot's owner: after a MOVED the slot table is read again, and if
   * the slot moved while the SSUBSCRIBE was on its way (a relocation then skipped it), it goes on
   * to the new owner.
   */
  private async place(channel: string, home: Home): Promise<void> {
    home.placing = true;
    try {
      for (let tries = 1; ; tries++) {
        const node = await this.ownerOf(home.slot);
        if (this.closed) throw new RedisConnectionError('the channel router was closed');
        home.node = node;
        try {
          await this.confirm(this.link(node), channel);
        } catch (error) {
          if (!(error instanceof SlotMovedError) || tries >= MAX_TRIES || this.closed) throw error;
          await this.refreshSlots();
          continue;
        }
        const owner = this.cluster.slots[home.slot]?.[0];
        if (!owner || owner === node || tries >= MAX_TRIES) break;
        this.release(channel, node);
      }
    } finally {
      home.placing = false;
    }
    // Unsubscribed while this was on its way: undo it, unless it is wanted again on this node.
    const current = this.homes.get(channel);
    if (current !== home && current?.node !== home.node) this.release(channel, home.node);
  }

  private confirm(link: Link, channel: string): Promise<void> {
    return new Promise((resolve, reject) => {
      link.waiting.add(reject);
      link.redis.ssubscribe(channel).then(
        () => {
          link.waiting.delete(reject);
          resolve();
        },
        (error: unknown) => {
          link.waiting.delete(reject);
          reject(error as Error);
        },
      );
    });
  }

  private release(channel: string, node: string): void {
    const link = this.links.get(node);
    if (link?.redis.status === 'ready') link.redis.sunsubscribe(channel).catch(() => undefined);
  }

  private async ownerOf(slot: number): Promise<string> {
    let owner = this.cluster.slots[slot]?.[0];
    if (!owner && this.cluster.status !== 'ready') {
      await this.clusterReady();
      owner = this.cluster.slots[slot]?.[0];
    }
    if (!owner) {
      await this.refreshSlots();
      owner = this.cluster.slots[slot]?.[0];
    }
    if (!owner) {
      throw new RedisConnectionError(
        `no Redis Cluster master is known for slot ${slot}: the cluster is not connected`,
      );
    }
    return owner;
  }

  /** Waits for the cluster to connect (it knows no slot before), as a command would in its offline queue. */
  private clusterReady(): Promise<void> {
    this.connecting ??= clusterReady(this.cluster).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private refreshSlots(): Promise<void> {
    return new Promise((resolve) => this.cluster.refreshSlotsCache(() => resolve()));
  }

  private link(node: string): Link {
    const existing = this.links.get(node);
    if (existing) return existing;
    const separator = node.lastIndexOf(':');
    const shared = this.cluster.options.redisOptions ?? {};
    const options: RedisOptions = {
      ...shared,
      host: node.slice(0, separator),
      port: Number(node.slice(separator + 1)),
      // Channel names are exact; placement and re-subscription are done here, confirmed.
      keyPrefix: undefined,
      autoResubscribe: false,
      // An SSUBSCRIBE sent while the connection is (re)connecting waits for it, and one that was
      // on its way when it dropped is sent again: each settles (see `placing`).
      enableOfflineQueue: true,
      autoResendUnfulfilledCommands: true,
      enableAutoPipelining: false,
      connectionName: shared.connectionName ? `${shared.connectionName}:shard` : undefined,
    };
    const link: Link = { redis: new Redis(options), lost: false, waiting: new Set() };
    const { redis } = link;
    redis.on('smessage', (channel: string, text: string) => this.events.message(channel, text));
    redis.on('close', () => {
      if (!link.lost && !this.closed) this.events.disconnected();
      link.lost = true;
    });
    redis.on('ready', () => {
      if (!link.lost) return;
      link.lost = false;
      void this.restore(node);
    });
    // ioredis answers a MOVED to SSUBSCRIBE only with this event (the command stays pending).
    redis.on('moved', () => {
      const waiting = [...link.waiting];
      link.waiting.clear();
      for (const reject of waiting) reject(new SlotMovedError('MOVED'));
    });
    // Connection errors, and the push Redis sends when a slot moved away (which ioredis reports
    // as an error): the slot table may have changed; reading it again relocates what moved.
    redis.on('error', () => this.cluster.refreshSlotsCache());
    this.links.set(node, link);
    return link;
  }

  /** A connection came back: its channels are subscribed again (where they belong now). */
  private async restore(node: string): Promise<void> {
    await this.refreshSlots();
    const channels: string[] = [];
    for (const [channel, home] of this.homes) if (home.node === node && !home.placing) channels.push(channel);
    await this.resubscribe(channels);
  }

  /** After a slot table change: channels whose slot has another owner now are moved there. */
  private async relocate(): Promise<void> {
    if (this.closed) return;
    const moved: string[] = [];
    for (const [channel, home] of this.homes) {
      const owner = this.cluster.slots[home.slot]?.[0];
      if (owner && owner !== home.node && !home.placing) {
        this.release(channel, home.node);
        moved.push(channel);
      }
    }
    this.closeLinksToFormerMasters();
    await this.resubscribe(moved);
  }

  private async resubscribe(channels: string[]): Promise<void> {
    if (channels.length === 0) return;
    const placing: Array<Promise<void>> = [];
    for (const channel of channels) {
      const home = this.homes.get(channel);
      if (home && !home.placing) placing.push(this.place(channel, home));
    }
    try {
      await Promise.all(placing);
    } catch {
      return; // a connection dropped again, or the cluster is down: the next `ready` or refresh retries
    }
    if (!this.closed) this.events.resubscribed();
  }

  /** A node that owns no slot any more (a failed master, a removed node) gets no more reconnects. */
  private closeLinksToFormerMasters(): void {
    const owners = new Set<string>();
    for (const nodes of this.cluster.slots) if (nodes?.[0]) owners.add(nodes[0]);
    if (owners.size === 0) return;
    for (const [node, link] of this.links) {
      if (owners.has(node)) continue;
      link.redis.disconnect();
      this.links.delete(node);
    }
  }
}
