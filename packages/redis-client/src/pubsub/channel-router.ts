import type { Cluster } from 'ioredis';
import { isCluster } from '../connection/client-info.js';
import { RedisClientError } from '../errors.js';
import type { RedisClient } from '../types.js';
import { ShardSubscribers } from './shard-subscribers.js';

type Handler = (text: string, channel: string) => void;
type Kind = 'channel' | 'pattern';

/**
 * Many channels and patterns on one subscriber connection. One `message` listener routes
 * each message to its channel's handlers by a map lookup (not one listener per channel,
 * which costs O(channels) per message). A channel is subscribed when its first handler
 * comes and unsubscribed when its last one leaves.
 *
 * Pub/sub is at-most-once: what is published while the connection is down is lost. After
 * a reconnect, once every channel is subscribed again (confirmed by Redis, not only sent),
 * the `onResubscribed` listeners run, so a user that keeps a durable copy (a stream) can
 * read what it missed without a gap.
 *
 * On a Redis Cluster `subscriber`, channels are shard channels: SSUBSCRIBE on the master that
 * owns the channel's slot (see ShardSubscribers), so publish with `publishTo` (SPUBLISH). A
 * message then stays on its shard instead of being copied to every node of the cluster, and
 * `onResubscribed` also runs after a slot moved. Patterns have no sharded form: `psubscribe`
 * on a Cluster rejects (a PSUBSCRIBE would never see an SPUBLISH).
 */
export class ChannelRouter {
  private readonly routes: Record<Kind, Map<string, Set<Handler>>> = {
    channel: new Map(),
    pattern: new Map(),
  };
  private readonly subscribing: Record<Kind, Map<string, Promise<unknown>>> = {
    channel: new Map(),
    pattern: new Map(),
  };
  private readonly resubscribedListeners = new Set<() => void>();
  private readonly disconnectedListeners = new Set<() => void>();
  private readonly detach: Array<() => void> = [];
  private wasDisconnected = false;
  /** Set when the subscriber is a Cluster: channels are shard channels. */
  private readonly shards: ShardSubscribers | undefined;

  constructor(private readonly subscriber: RedisClient) {
    if (isCluster(subscriber)) this.shards = this.shardsOn(subscriber);
    else this.listenTo(subscriber);
  }

  private listenTo(subscriber: RedisClient): void {
    const onMessage = (channel: string, text: string) => this.route('channel', channel, text, channel);
    const onPatternMessage = (pattern: string, channel: string, text: string) =>
      this.route('pattern', pattern, text, channel);
    const onClose = () => {
      if (!this.wasDisconnected) this.notify(this.disconnectedListeners);
      this.wasDisconnected = true;
    };
    const onReady = () => {
      if (!this.wasDisconnected) return;
      this.wasDisconnected = false;
      void this.resubscribe();
    };
    subscriber.on('message', onMessage);
    subscriber.on('pmessage', onPatternMessage);
    subscriber.on('close', onClose);
    subscriber.on('ready', onReady);
    this.detach.push(
      () => subscriber.off('message', onMessage),
      () => subscriber.off('pmessage', onPatternMessage),
      () => subscriber.off('close', onClose),
      () => subscriber.off('ready', onReady),
    );
  }

  /** Calls `handler` with each message on `channel`; resolves once Redis confirmed the subscription. */
  subscribe(channel: string, handler: Handler): Promise<() => void> {
    return this.add('channel', channel, handler);
  }

  /** Calls `handler` with each message on a channel matching the glob `pattern` (not on a Cluster). */
  psubscribe(pattern: string, handler: Handler): Promise<() => void> {
    if (this.shards) {
      return Promise.reject(
        new RedisClientError(
          'REDIS_INVALID_ARGUMENT',
          `pattern subscriptions have no sharded form on Redis Cluster (${pattern}): subscribe to each channel`,
        ),
      );
    }
    return this.add('pattern', pattern, handler);
  }

  /** Whether channels are shard channels (the subscriber is a Cluster): publish them with SPUBLISH. */
  get sharded(): boolean {
    return this.shards !== undefined;
  }

  /** Runs `listener` after a reconnect, once every channel is subscribed again. Returns its removal. */
  onResubscribed(listener: () => void): () => void {
    this.resubscribedListeners.add(listener);
    return () => this.resubscribedListeners.delete(listener);
  }

  /**
   * Calls `listener` when a subscriber connection closes: from then on messages may be lost
   * until `onResubscribed` runs. ioredis subscribes again by itself as soon as it reconnects, so
   * messages can arrive before `onResubscribed`; a user that replays a durable copy holds them
   * from here on, or they would overtake what it has yet to replay.
   */
  onDisconnected(listener: () => void): () => void {
    this.disconnectedListeners.add(listener);
    return () => this.disconnectedListeners.delete(listener);
  }

  /** How many channels and patterns are subscribed. */
  get size(): number {
    return this.routes.channel.size + this.routes.pattern.size;
  }

  /** Stops routing and unsubscribes everything; the connection is the caller's to close. */
  async close(): Promise<void> {
    for (const step of this.detach.splice(0)) step();
    const channels = [...this.routes.channel.keys()];
    const patterns = [...this.routes.pattern.keys()];
    this.routes.channel.clear();
    this.routes.pattern.clear();
    this.resubscribedListeners.clear();
    this.disconnectedListeners.clear();
    if (this.shards) return this.shards.close();
    if (channels.length > 0) await this.subscriber.unsubscribe(...channels).catch(() => undefined);
    if (patterns.length > 0) await this.subscriber.punsubscribe(...patterns).catch(() => undefined);
  }

  private async add(kind: Kind, name: string, handler: Handler): Promise<() => void> {
    let handlers = this.routes[kind].get(name);
    if (!handlers) {
      handlers = new Set();
      this.routes[kind].set(name, handlers);
    }
    handlers.add(handler);
    let confirmed = this.subscribing[kind].get(name);
    if (!confirmed) {
      if (this.shards) confirmed = this.shards.subscribe(name);
      else if (kind === 'channel') confirmed = this.subscriber.subscribe(name);
      else confirmed = this.subscriber.psubscribe(name);
      this.subscribing[kind].set(name, confirmed);
    }
    const remove = () => this.remove(kind, name, handler);
    try {
      await confirmed;
    } catch (error) {
      if (this.subscribing[kind].get(name) === confirmed) this.subscribing[kind].delete(name);
      remove();
      throw error;
    }
    return remove;
  }

  private remove(kind: Kind, name: string, handler: Handler): void {
    const handlers = this.routes[kind].get(name);
    if (!handlers?.delete(handler) || handlers.size > 0) return;
    this.routes[kind].delete(name);
    this.subscribing[kind].delete(name);
    if (this.shards) return this.shards.unsubscribe(name);
    // Commands on one connection run in order: a later subscribe to the same name wins.
    const unsubscribed =
      kind === 'channel' ? this.subscriber.unsubscribe(name) : this.subscriber.punsubscribe(name);
    unsubscribed.catch(() => undefined);
  }

  private route(kind: Kind, name: string, text: string, channel: string): void {
    const handlers = this.routes[kind].get(name);
    if (!handlers) return;
    for (const handler of handlers) handler(text, channel);
  }

  private async resubscribe(): Promise<void> {
    try {
      // ioredis resubscribes by itself; asking again waits until Redis has confirmed every one.
      const channels = [...this.routes.channel.keys()];
      const patterns = [...this.routes.pattern.keys()];
      if (channels.length > 0) await this.subscriber.subscribe(...channels);
      if (patterns.length > 0) await this.subscriber.psubscribe(...patterns);
    } catch {
      return; // the connection dropped again: the next 'ready' tries again
    }
    this.notifyResubscribed();
  }

  private notifyResubscribed(): void {
    this.notify(this.resubscribedListeners);
  }

  private notify(listeners: ReadonlySet<() => void>): void {
    for (const listener of listeners) listener();
  }

  private shardsOn(cluster: Cluster): ShardSubscribers {
    return new ShardSubscribers(cluster, {
      message: (channel, text) => this.route('channel', channel, text, channel),
      resubscribed: () => this.notifyResubscribed(),
      disconnected: () => this.notify(this.disconnectedListeners),
    });
  }
}
