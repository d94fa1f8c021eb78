import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CONNECTION_STATES, connectionState, pendingCommands } from '../connection/client-info.js';
import type { ConnectionEntry } from '../types.js';
import { getOrCreate, sourcesOf, type AnyRegistry } from './registry-util.js';
import { HistogramSeries } from './series.js';

/** Redis answers in well under a millisecond when healthy; 2.5 s is already an outage. */
export const OPERATION_DURATION_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

type OperationLabels =
  'db_system_name' | 'db_operation_name' | 'error_type' | 'db_client_connection_pool_name';

/** Something that can list its connections at scrape time (a RedisConnections). */
export type ConnectionSource = () => Iterable<Pick<ConnectionEntry, 'pool' | 'client'>>;

/** The client-side Redis metrics on one registry; build them with `createRedisClientMetrics(registry)`. */
export class RedisClientMetrics {
  readonly operationDuration: Histogram<OperationLabels>;
  readonly reconnects: Counter<'pool'>;
  readonly errors: Counter<'pool' | 'error_type'>;
  readonly connectionState: Gauge<'pool' | 'state'>;
  readonly pendingCommands: Gauge<'pool'>;
  /** Bounded: pools, ioredis' command names plus `other`, and error classes. */
  private readonly series = new Map<string, HistogramSeries>();

  constructor(registry: AnyRegistry) {
    const registers = [registry];
    // prom-client throws if exemplars are enabled on a Prometheus-format registry.
    const exemplars = registry.contentType === Registry.OPENMETRICS_CONTENT_TYPE;
    this.operationDuration = getOrCreate(
      registry,
      'db_client_operation_duration_seconds',
      () =>
        new Histogram<OperationLabels>({
          name: 'db_client_operation_duration_seconds',
          help: 'Duration of Redis commands as seen by the client, from send to reply, by command and outcome.',
          labelNames: ['db_system_name', 'db_operation_name', 'error_type', 'db_client_connection_pool_name'],
          buckets: OPERATION_DURATION_BUCKETS,
          enableExemplars: exemplars,
          registers,
        }),
    );
    this.reconnects = getOrCreate(
      registry,
      'redis_client_reconnects_total',
      () =>
        new Counter({
          name: 'redis_client_reconnects_total',
          help: 'Reconnection attempts scheduled by the client, per pool.',
          labelNames: ['pool'],
          registers,
        }),
    );
    this.errors = getOrCreate(
      registry,
      'redis_client_errors_total',
      () =>
        new Counter({
          name: 'redis_client_errors_total',
          help: "Connection-level errors emitted by the client ('error' events), per pool and error class.",
          labelNames: ['pool', 'error_type'],
          registers,
        }),
    );
    this.connectionState = getOrCreate(
      registry,
      'redis_client_connection_state',
      () =>
        new Gauge({
          name: 'redis_client_connection_state',
          help: 'Connections of the pool in each state (1 for the current state of a single-connection pool, 0 for the others).',
          labelNames: ['pool', 'state'],
          registers,
          collect() {
            this.reset();
            const counts = new Map<string, Map<string, number>>();
            for (const { pool, client } of entries(this)) {
              const perState = counts.get(pool) ?? new Map(CONNECTION_STATES.map((state) => [state, 0]));
              const state = connectionState(client);
              perState.set(state, (perState.get(state) ?? 0) + 1);
              counts.set(pool, perState);
            }
            for (const [pool, perState] of counts)
              for (const [state, value] of perState) this.set({ pool, state }, value);
          },
        }),
    );
    this.pendingCommands = getOrCreate(
      registry,
      'redis_client_pending_commands',
      () =>
        new Gauge({
          name: 'redis_client_pending_commands',
          help: 'Commands sent and not yet answered plus commands waiting for a connection (offline queue), per pool.',
          labelNames: ['pool'],
          registers,
          collect() {
            this.reset();
            const totals = new Map<string, number>();
            for (const { pool, client } of entries(this))
              totals.set(pool, (totals.get(pool) ?? 0) + pendingCommands(client));
            for (const [pool, value] of totals) this.set({ pool }, value);
          },
        }),
    );
  }

  /** Lists `source`'s connections in the state and pending gauges until the returned function is called. */
  addSource(source: ConnectionSource): () => void {
    const gauges = [this.connectionState, this.pendingCommands];
    for (const gauge of gauges) sourcesOf<ConnectionSource>(gauge).add(source);
    return () => {
      for (const gauge of gauges) sourcesOf<ConnectionSource>(gauge).delete(source);
    };
  }

  /**
   * The duration series of one pool, command and outcome (`errorType` '' for success),
   * bound once: every command of every connection observes through one of these.
   */
  operationSeries(pool: string, command: string, errorType: string): HistogramSeries {
    const key = `${pool}\u0000${command}\u0000${errorType}`;
    let series = this.series.get(key);
    if (!series) {
      series = new HistogramSeries(this.operationDuration, {
        db_system_name: 'redis',
        db_operation_name: command,
        error_type: errorType,
        db_client_connection_pool_name: pool,
      });
      this.series.set(key, series);
    }
    return series;
  }
}

function* entries(metric: object): Iterable<Pick<ConnectionEntry, 'pool' | 'client'>> {
  for (const source of sourcesOf<ConnectionSource>(metric)) yield* source();
}

/** The client metrics on `registry`; safe to call twice on one registry (the metrics are shared). */
export function createRedisClientMetrics(registry: AnyRegistry): RedisClientMetrics {
  return new RedisClientMetrics(registry);
}
