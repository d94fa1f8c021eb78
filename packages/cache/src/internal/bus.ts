import { randomBytes } from 'node:crypto';
import { ChannelSubscription, type Logger, type RedisClient } from '@rnh/redis-client';

/** What an invalidation says: full keys, a tag, or a key prefix (namespace clear). Never a value. */
export interface Invalidation {
  keys?: string[];
  tag?: string;
  prefix?: string;
}

interface WireMessage {
  /** Origin: the publishing cache instance, which ignores its own messages. */
  o: string;
  k?: string[];
  t?: string;
  p?: string;
}

/**
 * Cross-process L1 invalidation over Redis pub/sub. Messages only say what to
 * drop. Pub/sub is at-most-once: while the subscriber is down messages are lost,
 * so `healthy` is false then (the cache bypasses L1) and L1 is cleared when the
 * subscriber disconnects and again when it is ready (`onReset`).
 */
export class InvalidationBus {
  readonly origin = randomBytes(8).toString('hex');
  private readonly subscription: ChannelSubscription;

  constructor(
    subscriber: RedisClient,
    readonly channel: string,
    private readonly logger: Logger,
    private readonly onInvalidate: (message: Invalidation) => void,
    onReset: () => void,
  ) {
    this.subscription = new ChannelSubscription(subscriber, channel, {
      message: (text) => this.receive(text),
      reset: () => onReset(),
    });
  }

  get healthy(): boolean {
    return this.subscription.healthy;
  }

  start(): Promise<void> {
    return this.subscription.start();
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }

  encode(message: Invalidation): string {
    const wire: WireMessage = { o: this.origin };
    if (message.keys) wire.k = message.keys;
    if (message.tag !== undefined) wire.t = message.tag;
    if (message.prefix !== undefined) wire.p = message.prefix;
    return JSON.stringify(wire);
  }

  private receive(text: string): void {
    let wire: WireMessage;
    try {
      wire = JSON.parse(text) as WireMessage;
    } catch {
      this.logger.warn({ operation: 'bus' }, 'cache bus: unreadable message ignored');
      return;
    }
    if (!wire || typeof wire !== 'object' || wire.o === this.origin) return;
    this.onInvalidate({
      keys: Array.isArray(wire.k) ? wire.k.map(String) : undefined,
      tag: typeof wire.t === 'string' ? wire.t : undefined,
      prefix: typeof wire.p === 'string' ? wire.p : undefined,
    });
  }
}
