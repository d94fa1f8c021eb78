import { randomUUID } from 'node:crypto';
import { type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import {
  ChannelRouter,
  type Logger,
  publishTo,
  type RedisClient,
  silentLogger,
  toKeyspace,
} from '@rnh/redis-client';
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_PRESENCE_SWEEP_INTERVAL_MS,
} from '../defaults.js';
import { RealtimeArgumentError, RealtimeClosedError, RealtimeConnectionLimitError } from '../errors.js';
import { FeedFollower } from '../feed/feed-follower.js';
import type { EventFeed } from '../feed/event-feed.js';
import { isStreamId } from '../feed/stream-id.js';
import { checkId } from '../internal/ids.js';
import { checkPubSubPair } from '../internal/pubsub-kind.js';
import { callRedis } from '../internal/redis-call.js';
import { linkTo } from '../internal/trace-parent.js';
import { positiveInteger } from '../internal/validate.js';
import { metricsFor, type RealtimeMetricsSink } from '../metrics.js';
import type { Presence, PresenceChange } from '../presence/presence.js';
import type { Delivery, EventSchemas, RealtimeDeps } from '../types.js';
import type { ClientSink, CloseReason } from './client-sink.js';
import { HeartbeatSlots } from './heartbeat-slots.js';

/** Ticks per heartbeat interval: each pings and renews a tenth of the connections. */
const HEARTBEAT_SLOTS = 10;

/** One object for every connection told to reconnect, so each transport encodes it once. */
const RECONNECT = { kind: 'reconnect' } as const satisfies Delivery;

export interface RealtimeHubOptions<S extends EventSchemas> {
  /** The users' event feeds this hub delivers. */
  feed: EventFeed<S>;
  /** Presence: who is online, the per-user connection limit, and changes sent to organization members. */
  presence: Presence;
  /**
   * Connections renew their presence and clients are pinged this often. Default 10 s. The work is
   * spread over the interval: each tenth of it takes a tenth of the connections.
   */
  heartbeatIntervalMs?: number;
  /** Users of processes that died are taken offline this often. Default 5 s. */
  sweepIntervalMs?: number;
  /** Live events held per connection while it catches up. Default 1,000. */
  maxPendingLiveEvents?: number;
}

/** Who connects: the authenticated user, their organizations (for presence), and their resume cursor. */
export interface ConnectRequest {
  userId: string;
  orgIds?: readonly string[];
  /** The last event id the client received (SSE Last-Event-ID), if it is resuming. */
  after?: string;
}

/** A connection admitted (presence recorded, limit checked) but not yet reading its feed. */
export interface Admission<S extends EventSchemas> {
  /** Starts delivering to `sink`: what the client missed, `ready`, then live events. */
  open(sink: ClientSink<S>): Promise<HubConnection>;
  /** The transport could not complete the connection: undo the admission. */
  cancel(): Promise<void>;
}

export interface HubConnection {
  readonly id: string;
  readonly userId: string;
  /** The client went away: stop delivering and record it offline. Safe to call twice. */
  close(): Promise<void>;
}

interface LiveConnection<S extends EventSchemas> {
  id: string;
  userId: string;
  orgIds: readonly string[];
  sink: ClientSink<S>;
  follower: FeedFollower<S>;
  stops: Array<() => void>;
  closed: boolean;
}

/**
 * The connections of one process: each follows its user's feed and its organizations' presence,
 * renews its presence on a heartbeat, and is dropped when it stops reading or answering. What
 * another process needs (who is online where, the per-user limit) lives in Redis. `drain()` tells
 * every client to reconnect (to another instance) and refuses new ones.
 */
export class RealtimeHub<S extends EventSchemas> {
  private readonly feed: EventFeed<S>;
  private readonly presence: Presence;
  private readonly router: ChannelRouter;
  private readonly logger: Logger;
  private readonly tracer: Tracer;
  private readonly metrics: RealtimeMetricsSink;
  private readonly heartbeatMs: number;
  private readonly sweepMs: number;
  private readonly maxPendingLiveEvents: number | undefined;
  private readonly live = new Map<string, LiveConnection<S>>();
  private readonly heartbeatSlots: HeartbeatSlots<LiveConnection<S>>;
  private readonly redis: RedisClient;
  /** One pub/sub channel for messages to every connection of every instance. */
  private readonly broadcastChannel: string;
  private broadcasts: Promise<() => void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private draining = false;
  /** The live event whose `realtime.deliver` span is open (until the end of this turn). */
  private delivering: { delivery: Delivery<S>; span: Span; writes: number } | undefined;

  constructor(deps: RealtimeDeps, options: RealtimeHubOptions<S>) {
    this.feed = options.feed;
    this.presence = options.presence;
    checkPubSubPair(deps);
    this.router = new ChannelRouter(deps.subscriber);
    this.redis = deps.redis;
    this.broadcastChannel = toKeyspace(deps.keys, DEFAULT_KEY_PREFIX).key('broadcast');
    this.logger = deps.logger ?? silentLogger();
    this.tracer = deps.tracer ?? trace.getTracer('@rnh/realtime');
    this.metrics = metricsFor(deps.registry);
    this.metrics.startHubSeries(Object.keys(this.feed.schemas));
    this.heartbeatMs = positiveInteger(
      'heartbeatIntervalMs',
      options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    );
    this.sweepMs = positiveInteger(
      'sweepIntervalMs',
      options.sweepIntervalMs ?? DEFAULT_PRESENCE_SWEEP_INTERVAL_MS,
    );
    this.heartbeatSlots = new HeartbeatSlots(Math.min(HEARTBEAT_SLOTS, this.heartbeatMs));
    if (this.heartbeatMs >= this.presence.ttlMs) {
      throw new RealtimeArgumentError(
        `heartbeatIntervalMs (${this.heartbeatMs}) must be shorter than the presence ttlMs (${this.presence.ttlMs})`,
      );
    }
    this.maxPendingLiveEvents = options.maxPendingLiveEvents;
  }

  /**
   * Sends `data` to every connection of every instance, as `{ channel, data }` (one PUBLISH, SPUBLISH on a Cluster; each
   * hub writes to its own clients). At-most-once, like pub/sub: a client that is away misses it;
   * what a user must not miss goes to their feed. Resolves with how many hubs received it.
   */
  async broadcast(channel: string, data: unknown): Promise<number> {
    checkId('channel', channel);
    const message = JSON.stringify({ c: channel, d: data });
    return callRedis(
      publishTo(this.redis, this.broadcastChannel, message),
      DEFAULT_OPERATION_TIMEOUT_MS,
      this.logger,
      'broadcast',
    );
  }

  /** Open connections on this process. */
  get size(): number {
    return this.live.size;
  }

  /**
   * Checks the request and records the connection in presence. Rejects with RealtimeArgumentError
   * (bad id or cursor), RealtimeConnectionLimitError, RealtimeClosedError (draining) or
   * RealtimeUnavailableError (Redis), before the transport has answered the client.
   */
  async admit(request: ConnectRequest): Promise<Admission<S>> {
    if (this.draining) throw new RealtimeClosedError();
    const userId = checkId('userId', request.userId);
    const orgIds = (request.orgIds ?? []).map((orgId) => checkId('orgId', orgId));
    if (request.after !== undefined && !isStreamId(request.after)) {
      throw new RealtimeArgumentError(
        `Last-Event-ID must be a stream id like 1700000000000-0 (got ${JSON.stringify(request.after)})`,
      );
    }
    const id = randomUUID();
    const { accepted } = await this.presence.connect(userId, id, orgIds);
    if (!accepted) throw new RealtimeConnectionLimitError(this.presence.maxConnectionsPerUser);
    this.startTimers();
    let settled = false;
    return {
      open: async (sink) => {
        settled = true;
        return this.open(id, userId, orgIds, request.after, sink);
      },
      cancel: async () => {
        if (settled) return;
        settled = true;
        await this.presence.disconnect(userId, id).catch(() => undefined);
      },
    };
  }

  /**
   * Tells every client to reconnect and closes it, records them offline, and refuses new ones.
   * The subscriber connection is the caller's to close afterwards.
   */
  async drain(): Promise<void> {
    this.draining = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.all([...this.live.values()].map((connection) => this.end(connection, 'drain')));
    this.broadcasts = undefined;
    await this.router.close();
  }

  private async open(
    id: string,
    userId: string,
    orgIds: readonly string[],
    after: string | undefined,
    sink: ClientSink<S>,
  ): Promise<HubConnection> {
    const connection: LiveConnection<S> = {
      id,
      userId,
      orgIds,
      sink,
      follower: undefined!,
      stops: [],
      closed: false,
    };
    connection.follower = new FeedFollower(
      this.feed,
      this.router,
      this.logger,
      userId,
      (delivery, traceParent) => this.write(connection, delivery, traceParent),
      { after, maxPendingLiveEvents: this.maxPendingLiveEvents },
    );
    this.live.set(id, connection);
    this.heartbeatSlots.add(connection);
    this.metrics.clients.inc({ transport: sink.transport });
    try {
      await this.followBroadcasts();
      for (const orgId of orgIds) {
        connection.stops.push(
          await this.router.subscribe(this.presence.channelOf(orgId), (text) =>
            this.forwardPresence(connection, orgId, text),
          ),
        );
      }
      await connection.follower.start();
    } catch (error) {
      await this.end(connection, 'server_error');
      throw error;
    }
    return { id, userId, close: () => this.end(connection) };
  }

  /**
   * Writes to a client; a client that cannot keep up is dropped, so its buffer stays bounded.
   * This runs once per connection, so it does only the write and cheap bookkeeping: the same
   * delivery object goes to every connection (transports encode it once), a live event gets one
   * span for all its writes in this process, and the lag is observed per write only for feed
   * events (a user has a few connections; broadcasts, to every connection, record nothing here).
   */
  private write(connection: LiveConnection<S>, delivery: Delivery<S>, traceParent?: string): boolean {
    if (connection.closed) return false;
    const { transport } = connection.sink;
    if (traceParent && delivery.kind === 'event' && !delivery.replayed)
      this.traceDelivery(delivery, traceParent);
    if (!connection.sink.write(delivery)) {
      this.metrics.dropped.inc({ transport, reason: 'slow_client' });
      this.logger.info({ operation: 'deliver', transport }, 'realtime: slow client dropped');
      void this.end(connection, 'slow_client');
      return false;
    }
    if (delivery.kind === 'event') {
      this.metrics.delivered.inc({ type: delivery.event.type, transport });
      if (delivery.replayed) this.metrics.replayed.inc({ transport });
      else
        this.metrics.lag.observe({ transport }, Math.max(0, Date.now() - delivery.event.publishedAt) / 1000);
    }
    return true;
  }

  /**
   * One `realtime.deliver` span per live event and process, linked to the publish: the writes to
   * each of the user's connections follow one another in the same turn, and the span ends after
   * them, with how many there were.
   */
  private traceDelivery(delivery: Extract<Delivery<S>, { kind: 'event' }>, traceParent: string): void {
    const open = this.delivering;
    if (open?.delivery === delivery) {
      open.writes += 1;
      return;
    }
    const span = this.tracer.startSpan('realtime.deliver', {
      kind: SpanKind.CONSUMER,
      links: linkTo(traceParent),
      attributes: { 'messaging.system': 'redis', 'realtime.event.type': delivery.event.type },
    });
    const delivering = { delivery, span, writes: 1 };
    this.delivering = delivering;
    queueMicrotask(() => {
      if (this.delivering === delivering) this.delivering = undefined;
      span.setAttribute('realtime.connections', delivering.writes);
      span.end();
    });
  }

  /** Subscribes the broadcast channel once, with the first connection. */
  private async followBroadcasts(): Promise<void> {
    this.broadcasts ??= this.router.subscribe(this.broadcastChannel, (text) => this.forwardBroadcast(text));
    try {
      await this.broadcasts;
    } catch (error) {
      this.broadcasts = undefined;
      throw error;
    }
  }

  private forwardBroadcast(text: string): void {
    let message: { c?: unknown; d?: unknown };
    try {
      message = JSON.parse(text) as { c?: unknown; d?: unknown };
    } catch {
      return;
    }
    if (typeof message?.c !== 'string') return;
    // One delivery object for every connection: each transport encodes it once.
    const delivery: Delivery<S> = { kind: 'channel', channel: message.c, data: message.d };
    for (const connection of this.live.values()) {
      this.write(connection, delivery);
    }
  }

  private forwardPresence(connection: LiveConnection<S>, orgId: string, text: string): void {
    let change: PresenceChange;
    try {
      change = JSON.parse(text) as PresenceChange;
    } catch {
      return;
    }
    if (typeof change?.userId !== 'string' || typeof change.online !== 'boolean') return;
    this.write(connection, {
      kind: 'channel',
      channel: 'presence',
      data: { orgId, userId: change.userId, online: change.online },
    });
  }

  /** Stops a connection: the transport closes (when the server ends it), presence forgets it. */
  private async end(connection: LiveConnection<S>, reason?: CloseReason): Promise<void> {
    if (connection.closed) return;
    connection.closed = true;
    this.live.delete(connection.id);
    this.heartbeatSlots.delete(connection);
    this.metrics.clients.dec({ transport: connection.sink.transport });
    connection.follower.close();
    for (const stop of connection.stops.splice(0)) stop();
    if (reason) {
      if (reason === 'drain') connection.sink.write(RECONNECT);
      connection.sink.close(reason);
    }
    await this.presence.disconnect(connection.userId, connection.id).catch(() => undefined);
  }

  private startTimers(): void {
    if (this.timers.length > 0 || this.draining) return;
    const heartbeat = setInterval(() => void this.heartbeat(), this.heartbeatMs / this.heartbeatSlots.count);
    const sweep = setInterval(() => void this.presence.sweep().catch(() => undefined), this.sweepMs);
    heartbeat.unref();
    sweep.unref();
    this.timers.push(heartbeat, sweep);
  }

  /** One tick: pings and renews the connections of one slot (each connection's turn comes once per interval). */
  private async heartbeat(): Promise<void> {
    const renewals: Array<Promise<unknown>> = [];
    for (const connection of this.heartbeatSlots.due()) {
      if (!connection.sink.ping()) {
        this.metrics.dropped.inc({ transport: connection.sink.transport, reason: 'heartbeat_timeout' });
        void this.end(connection, 'heartbeat_timeout');
        continue;
      }
      renewals.push(this.presence.renew(connection.userId, connection.id, connection.orgIds));
    }
    // A failed renewal is retried on the next beat; the TTL covers two missed ones.
    await Promise.allSettled(renewals);
  }
}
