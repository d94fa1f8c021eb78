import { getOrCreateMetric as getOrCreate, type MetricsRegistry } from '@rnh/redis-client';
import { Counter, Gauge, Histogram } from 'prom-client';

/** Publish to socket write: sub-millisecond on one machine, seconds when something is wrong. */
export const DELIVERY_LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const TRANSPORTS = ['websocket', 'sse'] as const;
export const DROP_REASONS = ['slow_client', 'heartbeat_timeout'] as const;
export const REJECT_REASONS = [
  'unauthenticated',
  'origin',
  'connection_limit',
  'bad_request',
  'unavailable',
  'draining',
] as const;
export type Transport = (typeof TRANSPORTS)[number];
export type DropReason = (typeof DROP_REASONS)[number];
export type RejectReason = (typeof REJECT_REASONS)[number];

type Labels<L extends string> = Partial<Record<L, string | number>>;
interface CounterSink<L extends string> {
  inc(labels: Labels<L>, value?: number): void;
}
interface HistogramSink<L extends string> {
  observe(labels: Labels<L>, value: number): void;
}
interface GaugeSink<L extends string> {
  inc(labels: Labels<L>, value?: number): void;
  dec(labels: Labels<L>, value?: number): void;
}

/** What the real-time classes record with: RealtimeMetrics on a registry, or NO_REALTIME_METRICS. */
export interface RealtimeMetricsSink {
  readonly published: CounterSink<'type'>;
  readonly delivered: CounterSink<'type' | 'transport'>;
  readonly replayed: CounterSink<'transport'>;
  readonly invalid: CounterSink<'type'>;
  readonly lag: HistogramSink<'transport'>;
  readonly clients: GaugeSink<'transport'>;
  readonly dropped: CounterSink<'transport' | 'reason'>;
  readonly rejected: CounterSink<'transport' | 'reason'>;
  readonly presenceChanges: CounterSink<'change'>;
  /**
   * Start the series a part records at 0, so a panel or an alert on them has data before the
   * first event and `increase()` sees the first one: the feed's (published, invalid) by event
   * type, the hub's (delivered, replayed, lag, clients, dropped, rejected) by transport, presence's.
   */
  startFeedSeries(types: readonly string[]): void;
  startHubSeries(types: readonly string[]): void;
  startPresenceSeries(): void;
}

const recordsNothing = { inc: () => undefined, dec: () => undefined, observe: () => undefined };

/** No registry, no metrics: every metric records nothing. */
export const NO_REALTIME_METRICS: RealtimeMetricsSink = {
  published: recordsNothing,
  delivered: recordsNothing,
  replayed: recordsNothing,
  invalid: recordsNothing,
  lag: recordsNothing,
  clients: recordsNothing,
  dropped: recordsNothing,
  rejected: recordsNothing,
  presenceChanges: recordsNothing,
  startFeedSeries: () => undefined,
  startHubSeries: () => undefined,
  startPresenceSeries: () => undefined,
};

export function metricsFor(registry: MetricsRegistry | undefined): RealtimeMetricsSink {
  return registry ? new RealtimeMetrics(registry) : NO_REALTIME_METRICS;
}

/**
 * The real-time metrics on an injected registry. Labels are bounded: `type` is a declared event
 * type (or `unknown`), `transport`, `reason` and `change` fixed sets; never a user id or a channel.
 */
export class RealtimeMetrics implements RealtimeMetricsSink {
  readonly published: Counter<'type'>;
  readonly delivered: Counter<'type' | 'transport'>;
  readonly replayed: Counter<'transport'>;
  readonly invalid: Counter<'type'>;
  readonly lag: Histogram<'transport'>;
  readonly clients: Gauge<'transport'>;
  readonly dropped: Counter<'transport' | 'reason'>;
  readonly rejected: Counter<'transport' | 'reason'>;
  readonly presenceChanges: Counter<'change'>;

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      getOrCreate(registry, name, () => new Counter<L>({ name, help, labelNames, registers }));
    this.published = counter(
      'realtime_events_published_total',
      'Events published to user feeds, by event type.',
      ['type'],
    );
    this.delivered = counter(
      'realtime_events_delivered_total',
      'Events written to a client connection (live or replayed), by event type and transport (websocket|sse).',
      ['type', 'transport'],
    );
    this.replayed = counter(
      'realtime_events_replayed_total',
      'Events a reconnecting client missed and received from its feed on resume, by transport.',
      ['transport'],
    );
    this.invalid = counter(
      'realtime_invalid_events_total',
      'Events received from Redis that were dropped: an unknown type or data its schema rejects.',
      ['type'],
    );
    this.lag = getOrCreate(
      registry,
      'realtime_delivery_lag_seconds',
      () =>
        new Histogram({
          name: 'realtime_delivery_lag_seconds',
          help: 'Live events: time from the publish (Redis clock) to the write on the client connection, by transport.',
          labelNames: ['transport'],
          buckets: DELIVERY_LAG_BUCKETS,
          registers,
        }),
    );
    this.clients = getOrCreate(
      registry,
      'realtime_connected_clients',
      () =>
        new Gauge({
          name: 'realtime_connected_clients',
          help: 'Client connections open on this process, by transport.',
          labelNames: ['transport'],
          registers,
        }),
    );
    this.dropped = counter(
      'realtime_clients_dropped_total',
      'Client connections the server closed: slow_client (unsent data over the bound) or heartbeat_timeout (no answer to a ping).',
      ['transport', 'reason'],
    );
    this.rejected = counter(
      'realtime_connections_rejected_total',
      'Connection attempts refused, by transport and reason (unauthenticated|origin|connection_limit|bad_request|unavailable|draining).',
      ['transport', 'reason'],
    );
    this.presenceChanges = counter(
      'realtime_presence_changes_total',
      'Users going online or offline (change), counted by the process that saw the change.',
      ['change'],
    );
  }

  startFeedSeries(types: readonly string[]): void {
    for (const type of types) {
      this.published.inc({ type }, 0);
      this.invalid.inc({ type }, 0);
    }
  }

  startHubSeries(types: readonly string[]): void {
    for (const transport of TRANSPORTS) {
      for (const type of types) this.delivered.inc({ type, transport }, 0);
      this.replayed.inc({ transport }, 0);
      this.lag.zero({ transport });
      this.clients.inc({ transport }, 0);
      for (const reason of DROP_REASONS) this.dropped.inc({ transport, reason }, 0);
      for (const reason of REJECT_REASONS) this.rejected.inc({ transport, reason }, 0);
    }
  }

  startPresenceSeries(): void {
    for (const change of ['online', 'offline']) this.presenceChanges.inc({ change }, 0);
  }
}
