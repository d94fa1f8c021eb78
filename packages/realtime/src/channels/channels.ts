import {
  ChannelRouter,
  type Keyspace,
  isCluster,
  type Logger,
  publishTo,
  type RedisClient,
  silentLogger,
  toKeyspace,
} from '@rnh/redis-client';
import { DEFAULT_KEY_PREFIX, DEFAULT_OPERATION_TIMEOUT_MS } from '../defaults.js';
import { RealtimeArgumentError, RealtimeEventError } from '../errors.js';
import { checkId } from '../internal/ids.js';
import { checkPubSubPair } from '../internal/pubsub-kind.js';
import { callRedis } from '../internal/redis-call.js';
import { positiveInteger } from '../internal/validate.js';
import { metricsFor, type RealtimeMetricsSink } from '../metrics.js';
import type { EventData, EventSchemas, RealtimeDeps } from '../types.js';

export interface ChannelsOptions<S extends EventSchemas> {
  /** Every channel, with the schema its messages must pass (when published and when received). */
  channels: S;
  /** A Redis call slower than this fails with RealtimeUnavailableError. Default 2,000 ms. */
  operationTimeoutMs?: number;
}

export type ChannelHandler<T> = (data: T, topic: string) => void;

/**
 * Typed pub/sub: each channel has a schema, messages are JSON checked when published and again
 * when received (a process on an older version, or anyone with PUBLISH rights, cannot hand a
 * handler data of the wrong shape). A channel carries topics (`presence` of `org-7`), and a
 * pattern subscription follows every topic of a channel. At-most-once, like pub/sub itself:
 * for events that must reach a user who is away, use an EventFeed.
 */
export class RealtimeChannels<S extends EventSchemas> {
  private readonly redis: RedisClient;
  private readonly router: ChannelRouter;
  private readonly keys: Keyspace;
  private readonly logger: Logger;
  private readonly metrics: RealtimeMetricsSink;
  private readonly schemas: S;
  private readonly timeoutMs: number;

  constructor(deps: RealtimeDeps, options: ChannelsOptions<S>) {
    this.redis = deps.redis;
    checkPubSubPair(deps);
    this.router = new ChannelRouter(deps.subscriber);
    this.keys = toKeyspace(deps.keys, DEFAULT_KEY_PREFIX).child('ch');
    this.logger = deps.logger ?? silentLogger();
    this.metrics = metricsFor(deps.registry);
    this.schemas = options.channels;
    for (const name of Object.keys(this.schemas)) checkId('channel name', name);
    this.timeoutMs = positiveInteger(
      'operationTimeoutMs',
      options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
    );
  }

  /** Publishes to one topic of a channel; resolves with how many subscribers received it. */
  async publish<K extends keyof S & string>(
    channel: K,
    topic: string,
    data: EventData<S, K>,
  ): Promise<number> {
    const parsed = this.schemaOf(channel).safeParse(data);
    if (!parsed.success) {
      throw new RealtimeEventError(`a message on ${channel} does not match its schema`, {
        cause: parsed.error,
      });
    }
    const receivers = await callRedis(
      publishTo(this.redis, this.nameOf(channel, topic), JSON.stringify(parsed.data)),
      this.timeoutMs,
      this.logger,
      'channel publish',
    );
    this.metrics.published.inc({ type: channel });
    return receivers;
  }

  /** Follows one topic; resolves (with the way to stop) once Redis confirmed the subscription. */
  subscribe<K extends keyof S & string>(
    channel: K,
    topic: string,
    handler: ChannelHandler<EventData<S, K>>,
  ): Promise<() => void> {
    return this.router.subscribe(this.nameOf(channel, topic), (text) =>
      this.receive(channel, text, topic, handler),
    );
  }

  /**
   * Follows every topic of a channel (a pattern subscription). Not on a Cluster: messages there
   * are SPUBLISHed to shard channels, which have no pattern form; it rejects with
   * RealtimeArgumentError (subscribe to each topic instead).
   */
  async subscribeAll<K extends keyof S & string>(
    channel: K,
    handler: ChannelHandler<EventData<S, K>>,
  ): Promise<() => void> {
    this.schemaOf(channel);
    if (isCluster(this.redis)) {
      throw new RealtimeArgumentError(
        `subscribeAll(${JSON.stringify(channel)}) needs a pattern subscription, which Redis Cluster's sharded pub/sub does not have: subscribe to each topic`,
      );
    }
    const prefix = this.keys.key(channel, '');
    return this.router.psubscribe(this.keys.pattern(`${channel}:*`), (text, name) =>
      this.receive(channel, text, name.slice(prefix.length), handler),
    );
  }

  /** Stops every subscription (the subscriber connection is the caller's to close). */
  close(): Promise<void> {
    return this.router.close();
  }

  private receive<K extends keyof S & string>(
    channel: K,
    text: string,
    topic: string,
    handler: ChannelHandler<EventData<S, K>>,
  ): void {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    const parsed = this.schemaOf(channel).safeParse(data);
    if (!parsed.success) {
      this.metrics.invalid.inc({ type: channel });
      this.logger.warn({ operation: 'receive', channel }, 'realtime channel: message dropped (schema)');
      return;
    }
    handler(parsed.data as EventData<S, K>, topic);
  }

  private nameOf(channel: keyof S & string, topic: string): string {
    this.schemaOf(channel);
    return this.keys.key(channel, checkId('topic', topic));
  }

  private schemaOf(channel: string) {
    const schema = Object.hasOwn(this.schemas, channel) ? this.schemas[channel] : undefined;
    if (!schema) throw new RealtimeArgumentError(`unknown channel ${JSON.stringify(channel)}`);
    return schema;
  }
}
