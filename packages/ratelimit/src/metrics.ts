import {
  CounterSeries,
  getOrCreateMetric as getOrCreate,
  HistogramSeries,
  type MetricsRegistry as AnyRegistry,
} from '@rnh/redis-client';
import { Counter, Gauge, Histogram } from 'prom-client';

export const DECISION_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

type Labels<L extends string> = Partial<Record<L, string | number>>;
interface CounterSink<L extends string> {
  inc(labels: Labels<L>, value?: number): void;
}
interface HistogramSink<L extends string> {
  observe(labels: Labels<L>, value: number): void;
}

/** What limiters and stores record with: RateLimitMetrics on the given registry, or NO_RATELIMIT_METRICS without one. */
export interface RateLimitMetricsSink {
  readonly decisions: CounterSink<'policy' | 'outcome' | 'reason'>;
  readonly duration: HistogramSink<'policy'>;
  readonly nearLimit: CounterSink<'policy'>;
  readonly localDenyEntries: CounterSink<'policy'>;
  /** One limiter's series, bound to its `policy` label once. */
  forLimiter(policy: string): LimiterMetrics;
}

/**
 * The series one limiter records on every decision, each bound to its labels once, so a
 * decision updates them in place (prom-client's `inc(labels)` / `observe(labels, v)` build
 * the series key from the label object on every call).
 */
export interface LimiterMetrics {
  /** The `ratelimit_decisions_total` series of one outcome and reason. */
  decisions(outcome: 'allowed' | 'denied', reason: string): { inc(): void };
  readonly duration: { observe(seconds: number): void };
  readonly nearLimit: { inc(): void };
}

const recordsNothing = { inc: () => undefined, observe: () => undefined };

const NO_LIMITER_METRICS: LimiterMetrics = {
  decisions: () => recordsNothing,
  duration: recordsNothing,
  nearLimit: recordsNothing,
};

/**
 * No registry, no metrics: every metric is one that records nothing, so a limiter built
 * without a registry spends no time on label lookups and series nobody scrapes.
 */
export const NO_RATELIMIT_METRICS: RateLimitMetricsSink = {
  decisions: recordsNothing,
  duration: recordsNothing,
  nearLimit: recordsNothing,
  localDenyEntries: recordsNothing,
  forLimiter: () => NO_LIMITER_METRICS,
};

/** The metrics on `registry`, or ones that record nothing when there is none. */
export function metricsFor(registry: AnyRegistry | undefined): RateLimitMetricsSink {
  return registry ? createRateLimitMetrics(registry) : NO_RATELIMIT_METRICS;
}

/**
 * The limiters' metrics on an injected registry. Labels are bounded: `policy` is a
 * configured limiter name, `outcome` and `reason` fixed sets; never a key or an address.
 */
export class RateLimitMetrics implements RateLimitMetricsSink {
  readonly decisions: Counter<'policy' | 'outcome' | 'reason'>;
  readonly duration: Histogram<'policy'>;
  readonly nearLimit: Counter<'policy'>;
  readonly localDenyEntries: Gauge<'policy'>;

  constructor(registry: AnyRegistry) {
    const registers = [registry];
    this.decisions = getOrCreate(
      registry,
      'ratelimit_decisions_total',
      () =>
        new Counter({
          name: 'ratelimit_decisions_total',
          help: 'Rate-limit decisions by limiter (policy), outcome (allowed|denied) and reason (allowed|limited|fail_open|fail_closed|local_block|shadow).',
          labelNames: ['policy', 'outcome', 'reason'],
          registers,
        }),
    );
    this.duration = getOrCreate(
      registry,
      'ratelimit_decision_duration_seconds',
      () =>
        new Histogram({
          name: 'ratelimit_decision_duration_seconds',
          help: 'Time of decisions that went to Redis (one script call), failed and timed-out ones included; local blocks are not observed.',
          labelNames: ['policy'],
          buckets: DECISION_DURATION_BUCKETS,
          registers,
        }),
    );
    this.nearLimit = getOrCreate(
      registry,
      'ratelimit_near_limit_total',
      () =>
        new Counter({
          name: 'ratelimit_near_limit_total',
          help: 'Allowed decisions after which some policy of the limiter had 80 % or more of its quota used.',
          labelNames: ['policy'],
          registers,
        }),
    );
    this.localDenyEntries = getOrCreate(
      registry,
      'ratelimit_local_deny_entries',
      () =>
        new Gauge({
          name: 'ratelimit_local_deny_entries',
          help: 'Keys held in the in-process deny cache (denied without a Redis call until their retry-after).',
          labelNames: ['policy'],
          registers,
        }),
    );
  }

  forLimiter(policy: string): LimiterMetrics {
    const decisions = new Map<string, CounterSeries>();
    return {
      decisions: (outcome, reason) => {
        const key = `${outcome}:${reason}`;
        let series = decisions.get(key);
        if (series === undefined) {
          series = new CounterSeries(this.decisions, { policy, outcome, reason });
          decisions.set(key, series);
        }
        return series;
      },
      duration: new HistogramSeries(this.duration, { policy }),
      nearLimit: new CounterSeries(this.nearLimit, { policy }),
    };
  }
}

/** The rate-limit metrics on `registry`; safe to call twice on one registry (the metrics are shared). */
export function createRateLimitMetrics(registry: AnyRegistry): RateLimitMetrics {
  return new RateLimitMetrics(registry);
}
