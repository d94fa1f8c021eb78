import { isCluster } from '../connection/client-info.js';
import type { RedisClient } from '../types.js';
import { ClusterChannel } from './cluster-channel.js';

export interface ChannelSubscriptionHandlers {
  /** A message published on the channel (the text as published). */
  message(text: string): void;
  /**
   * The connection closed (`closed`: messages are lost from now on), or is ready
   * again (`ready`: some may have been lost meanwhile). In-process copies that
   * rely on the messages must not be trusted past this point.
   */
  reset(event: 'closed' | 'ready'): void;
}

/**
 * One pub/sub channel on a `subscriber` connection (which may be shared with
 * other channels: each subscription sees only its own messages). Made for
 * in-process copies that other processes invalidate: pub/sub is at-most-once,
 * so `healthy` is false until subscribed and whenever the connection is not
 * ready, and `reset` runs when the connection closes and again when it is ready.
 *
 * On a Redis Cluster `subscriber` the channel is subscribed on one master over a connection of
 * the subscription's own (a Cluster copies each PUBLISH to every node), so that connection's
 * drops are seen: ioredis's Cluster replaces its own subscriber connection without a word.
 */
export class ChannelSubscription {
  private subscribed = false;
  private readonly detach: Array<() => void> = [];
  /** On a Cluster: the channel on a connection of its own (see ClusterChannel). */
  private clusterChannel: ClusterChannel | undefined;

  constructor(
    private readonly subscriber: RedisClient,
    readonly channel: string,
    private readonly handlers: ChannelSubscriptionHandlers,
  ) {}

  /** Subscribed, and the connection is ready: no message can have been missed since the last `reset`. */
  get healthy(): boolean {
    if (this.clusterChannel) return this.subscribed && this.clusterChannel.ready;
    return this.subscribed && this.subscriber.status === 'ready';
  }

  async start(): Promise<void> {
    if (isCluster(this.subscriber)) {
      const channel = new ClusterChannel(this.subscriber, this.channel, {
        message: (text) => this.handlers.message(text),
        closed: () => this.handlers.reset('closed'),
        ready: () => this.handlers.reset('ready'),
      });
      this.clusterChannel = channel;
      try {
        await channel.start();
      } catch (error) {
        channel.close();
        this.clusterChannel = undefined;
        throw error;
      }
      this.subscribed = true;
      return;
    }
    const onMessage = (channel: string, text: string) => {
      if (channel === this.channel) this.handlers.message(text);
    };
    const onClose = () => this.handlers.reset('closed');
    const onReady = () => this.handlers.reset('ready');
    this.subscriber.on('message', onMessage);
    this.subscriber.on('close', onClose);
    this.subscriber.on('ready', onReady);
    this.detach.push(
      () => this.subscriber.off('message', onMessage),
      () => this.subscriber.off('close', onClose),
      () => this.subscriber.off('ready', onReady),
    );
    await this.subscriber.subscribe(this.channel);
    this.subscribed = true;
  }

  /**
   * Stops listening and unsubscribes; the connection is the caller's to close (on a Cluster the
   * channel's own connection is closed here).
   */
  async stop(): Promise<void> {
    if (this.clusterChannel) {
      this.subscribed = false;
      this.clusterChannel.close();
      this.clusterChannel = undefined;
      return;
    }
    for (const step of this.detach.splice(0)) step();
    if (this.subscribed) {
      this.subscribed = false;
      await this.subscriber.unsubscribe(this.channel).catch(() => undefined);
    }
  }
}
