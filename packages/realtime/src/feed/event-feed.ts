import { SpanKind, type Tracer, trace } from '@opentelemetry/api';
import {
  type Keyspace,
  type Logger,
  publishCommandFor,
  type RedisClient,
  type RedisPackageDeps,
  RedisScript,
  silentLogger,
  toKeyspace,
} from '@rnh/redis-client';
import {
  DEFAULT_FEED_MAX_LENGTH,
  DEFAULT_FEED_RETENTION_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_REPLAY_PAGE_SIZE,
} from '../defaults.js';
import { RealtimeArgumentError, RealtimeEventError } from '../errors.js';
import { checkId } from '../internal/ids.js';
import { callRedis } from '../internal/redis-call.js';
import { positiveInteger } from '../internal/validate.js';
import { activeTraceParent } from '../internal/trace-parent.js';
import { metricsFor, type RealtimeMetricsSink } from '../metrics.js';
import type { EventData, EventSchemas } from '../types.js';
import { publishEvent, READ_FEED } from './scripts.js';
import { isStreamId } from './stream-id.js';
import { parseEntry, type RawEvent } from './wire.js';

export interface EventFeedOptions<S extends EventSchemas> {
  /** Every event type the feeds carry, with the schema its data must pass (when published and when received). */
  events: S;
  /** About how many events each user's feed keeps (`XADD MAXLEN ~`). Default 1,000. */
  maxLength?: number;
  /** A feed nobody publishes to is deleted after this long. Default one day. */
  retentionMs?: number;
  /** A Redis call slower than this fails with RealtimeUnavailableError. Default 2,000 ms. */
  operationTimeoutMs?: number;
  /** Events read per XRANGE when a client catches up. Default 200. */
  replayPageSize?: number;
}

/** One page of a feed after a cursor. */
export interface FeedPage {
  /** Events after the cursor were trimmed away (the feed holds only the newest `maxLength`). */
  gap: boolean;
  /** The newest id the feed ever held ('0-0' when it is empty): the cursor of a client that starts now. */
  newest: string;
  events: RawEvent[];
}

/**
 * Each user's live events: a capped Redis stream per user (so a client that was away gets what
 * it missed) plus a pub/sub message per event (so connected clients get it at once). Both are
 * written by one script, so the stream and the messages agree on ids and order.
 */
export class EventFeed<S extends EventSchemas> {
  readonly schemas: S;
  readonly replayPageSize: number;
  private readonly redis: RedisClient;
  private readonly keys: Keyspace;
  private readonly logger: Logger;
  private readonly tracer: Tracer;
  readonly metrics: RealtimeMetricsSink;
  private readonly maxLength: number;
  private readonly retentionMs: number;
  private readonly timeoutMs: number;
  private readonly publishScript: RedisScript;
  private readonly readScript = new RedisScript(READ_FEED);

  constructor(deps: RedisPackageDeps, options: EventFeedOptions<S>) {
    this.redis = deps.redis;
    this.publishScript = new RedisScript(publishEvent(publishCommandFor(deps.redis)));
    this.keys = toKeyspace(deps.keys, DEFAULT_KEY_PREFIX);
    this.logger = deps.logger ?? silentLogger();
    this.tracer = deps.tracer ?? trace.getTracer('@rnh/realtime');
    this.metrics = metricsFor(deps.registry);
    this.schemas = options.events;
    for (const type of Object.keys(this.schemas)) {
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(type)) {
        throw new RealtimeArgumentError(
          `event type names are 1-64 of letters, digits and _ . : - (got ${JSON.stringify(type)})`,
        );
      }
    }
    this.metrics.startFeedSeries(Object.keys(this.schemas));
    this.maxLength = positiveInteger('maxLength', options.maxLength ?? DEFAULT_FEED_MAX_LENGTH);
    this.retentionMs = positiveInteger('retentionMs', options.retentionMs ?? DEFAULT_FEED_RETENTION_MS);
    this.timeoutMs = positiveInteger(
      'operationTimeoutMs',
      options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
    );
    this.replayPageSize = positiveInteger(
      'replayPageSize',
      options.replayPageSize ?? DEFAULT_REPLAY_PAGE_SIZE,
    );
  }

  /** The stream that holds `userId`'s events (its own hash tag: one user's feed is one Cluster slot). */
  feedKey(userId: string): string {
    return this.keys.key('feed', `{${checkId('userId', userId)}}`);
  }

  /**
   * The pub/sub channel announcing `userId`'s events: the key's name, so it hashes to the same
   * slot (on a Cluster, a shard channel the publish script may SPUBLISH to).
   */
  channelOf(userId: string): string {
    return this.feedKey(userId);
  }

  /**
   * Appends an event to the user's feed and tells their connected clients. Resolves with the
   * event's id once Redis has it; rejects with RealtimeEventError (bad type or data) or
   * RealtimeUnavailableError (Redis), and then nothing was published.
   */
  async publish<K extends keyof S & string>(userId: string, type: K, data: EventData<S, K>): Promise<string> {
    const json = this.encode(type, data);
    const key = this.feedKey(userId);
    return this.tracer.startActiveSpan(
      'realtime.publish',
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'redis', 'realtime.event.type': type } },
      async (span) => {
        try {
          const id = await this.call(
            this.publishScript.run(
              this.redis,
              [key],
              [this.maxLength, this.retentionMs, key, type, json, activeTraceParent()],
            ),
            'publish',
          );
          this.metrics.published.inc({ type });
          return String(id);
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: 2 });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  /** The same event to several users (an organization's members); resolves with each feed's id, in order. */
  publishToMany<K extends keyof S & string>(
    userIds: readonly string[],
    type: K,
    data: EventData<S, K>,
  ): Promise<string[]> {
    return Promise.all(userIds.map((userId) => this.publish(userId, type, data)));
  }

  /** The newest id `userId`'s feed ever held ('0-0' when it has none): where a new client starts. */
  async newest(userId: string): Promise<string> {
    const reply = (await this.call(
      this.readScript.run(this.redis, [this.feedKey(userId)], ['0-0', 0, 0]),
      'read',
    )) as [number, string];
    return String(reply[1]);
  }

  /** One page of `userId`'s events after `cursor` (exclusive); `checkGap` also reports trimmed events. */
  async read(userId: string, cursor: string, checkGap: boolean): Promise<FeedPage> {
    if (!isStreamId(cursor))
      throw new RealtimeArgumentError(
        `a cursor is a stream id like 1700000000000-0 (got ${JSON.stringify(cursor)})`,
      );
    const reply = (await this.call(
      this.readScript.run(
        this.redis,
        [this.feedKey(userId)],
        [cursor, this.replayPageSize, checkGap ? 1 : 0],
      ),
      'read',
    )) as [number, string, unknown[]];
    const events: RawEvent[] = [];
    for (const entry of reply[2]) {
      const raw = parseEntry(entry);
      if (raw) events.push(raw);
    }
    return { gap: reply[0] === 1, newest: String(reply[1]), events };
  }

  private encode(type: string, data: unknown): string {
    const schema = Object.hasOwn(this.schemas, type) ? this.schemas[type] : undefined;
    if (!schema) throw new RealtimeEventError(`unknown event type ${JSON.stringify(type)}`);
    const parsed = schema.safeParse(data);
    if (!parsed.success)
      throw new RealtimeEventError(`the data of a ${type} event does not match its schema`, {
        cause: parsed.error,
      });
    return JSON.stringify(parsed.data);
  }

  private call<T>(work: Promise<T>, operation: string): Promise<T> {
    return callRedis(work, this.timeoutMs, this.logger, `feed ${operation}`);
  }
}
