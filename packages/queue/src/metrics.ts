import {
  CounterSeries,
  getOrCreateMetric as getOrCreate,
  HistogramSeries,
  type MetricsRegistry,
} from '@rnh/redis-client';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobState } from './types.js';

/** Waiting and end-to-end: from milliseconds (idle workers) to an hour (a backlog). */
export const WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
export const PROCESSING_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The states `queue_jobs` reports, BullMQ's plus our dead-letter store. */
export const DEPTH_STATES: readonly JobState[] = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
  'dead',
];

export interface DepthSample {
  counts: Record<JobState, number>;
  /** 0 when nothing waits. */
  oldestWaitingAgeSeconds: number;
  /** Only from a worker that declares schedules: those its last check did not find in Redis. */
  schedulesMissing?: number;
}

/** One queue whose depth this process exports; `sample()` is cached by its owner. */
export interface DepthSource {
  queue: string;
  sample(): Promise<DepthSample | undefined>;
}

// Depth sources live on the gauge object, so they follow the registry (two
// QueueMetrics on one registry share them) instead of a module-level map.
const SOURCES = Symbol.for('@rnh/queue/depth-sources');

function sourcesOf(metric: object): Set<DepthSource> {
  const holder = metric as { [SOURCES]?: Set<DepthSource> };
  holder[SOURCES] ??= new Set<DepthSource>();
  return holder[SOURCES];
}

type JobLabels = 'queue' | 'job_name';

/** What every job of one type updates; the processing time takes the attempt's span as exemplar. */
export interface JobSeries {
  enqueued: CounterSeries;
  completed: CounterSeries;
  waitTime: HistogramSeries;
  endToEnd: HistogramSeries;
  processedOk: HistogramSeries;
  processedFailed: HistogramSeries;
}

/**
 * The queue metrics on an injected registry, in seconds. Labels are bounded:
 * `queue` and `job_name` come from queue definitions, `state` and `outcome` are fixed sets.
 */
export class QueueMetrics {
  readonly enqueued: Counter<JobLabels>;
  readonly completed: Counter<JobLabels>;
  readonly failed: Counter<JobLabels>;
  readonly retried: Counter<JobLabels>;
  readonly stalled: Counter<JobLabels>;
  readonly deadLettered: Counter<JobLabels>;
  readonly waitTime: Histogram<JobLabels>;
  readonly processingTime: Histogram<JobLabels | 'outcome'>;
  readonly endToEnd: Histogram<JobLabels>;
  readonly depth: Gauge<'queue' | 'state'>;
  readonly oldestWaitingAge: Gauge<'queue'>;
  readonly schedulesMissing: Gauge<'queue'>;
  /** Per queue and job type: bounded by the queue definitions. */
  private readonly series = new Map<string, JobSeries>();

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    // prom-client refuses exemplars on a Prometheus-format registry.
    const exemplars = registry.contentType === Registry.OPENMETRICS_CONTENT_TYPE;
    const counter = (name: string, help: string) =>
      getOrCreate(
        registry,
        name,
        () => new Counter<JobLabels>({ name, help, labelNames: ['queue', 'job_name'], registers }),
      );
    this.enqueued = counter(
      'queue_jobs_enqueued_total',
      'Jobs added to a queue (an idempotency-key match adds none).',
    );
    this.completed = counter(
      'queue_jobs_completed_total',
      'Jobs whose handler succeeded and that BullMQ marked completed.',
    );
    this.failed = counter(
      'queue_jobs_failed_total',
      'Attempts whose handler threw (each try counts; the retried and dead-lettered ones included).',
    );
    this.retried = counter(
      'queue_jobs_retried_total',
      'Failed attempts that BullMQ scheduled to run again (after backoff).',
    );
    this.stalled = counter(
      'queue_jobs_stalled_total',
      'Jobs whose worker lost the lock (crashed, killed, blocked or cut off at shutdown) and that were taken back.',
    );
    this.deadLettered = counter(
      'queue_jobs_dead_lettered_total',
      'Jobs moved to the dead-letter store (attempts exhausted, unrecoverable error, or stalled too often).',
    );
    this.waitTime = getOrCreate(
      registry,
      'queue_job_wait_seconds',
      () =>
        new Histogram<JobLabels>({
          name: 'queue_job_wait_seconds',
          help: 'From enqueue (or the end of the requested delay) to the start of the first attempt.',
          labelNames: ['queue', 'job_name'],
          buckets: WAIT_BUCKETS,
          registers,
        }),
    );
    this.processingTime = getOrCreate(
      registry,
      'queue_job_processing_seconds',
      () =>
        new Histogram<JobLabels | 'outcome'>({
          name: 'queue_job_processing_seconds',
          help: 'Handler run time of one attempt, by outcome (completed|failed).',
          labelNames: ['queue', 'job_name', 'outcome'],
          buckets: PROCESSING_BUCKETS,
          enableExemplars: exemplars,
          registers,
        }),
    );
    this.endToEnd = getOrCreate(
      registry,
      'queue_job_end_to_end_seconds',
      () =>
        new Histogram<JobLabels>({
          name: 'queue_job_end_to_end_seconds',
          help: 'From enqueue to completion of a job that completed, retries and delays included.',
          labelNames: ['queue', 'job_name'],
          buckets: WAIT_BUCKETS,
          registers,
        }),
    );
    const depth = getOrCreate(
      registry,
      'queue_jobs',
      () =>
        new Gauge<'queue' | 'state'>({
          name: 'queue_jobs',
          help: 'Jobs per state (BullMQ counts, plus dead for the dead-letter store), sampled at scrape time and cached a few seconds.',
          labelNames: ['queue', 'state'],
          registers,
          async collect() {
            this.reset();
            for (const { queue, sample } of await sampleAll(this)) {
              for (const state of DEPTH_STATES) this.set({ queue, state }, sample.counts[state]);
            }
          },
        }),
    );
    this.depth = depth;
    this.oldestWaitingAge = getOrCreate(
      registry,
      'queue_oldest_waiting_job_age_seconds',
      () =>
        new Gauge<'queue'>({
          name: 'queue_oldest_waiting_job_age_seconds',
          help: 'How long the oldest job in the wait list has been ready to run (0 when none waits), sampled at scrape time.',
          labelNames: ['queue'],
          registers,
          async collect() {
            this.reset();
            // Both gauges read the sources registered on `queue_jobs` (one cached sample per queue).
            for (const { queue, sample } of await sampleAll(depth)) {
              this.set({ queue }, sample.oldestWaitingAgeSeconds);
            }
          },
        }),
    );
    this.schedulesMissing = getOrCreate(
      registry,
      'queue_schedules_missing',
      () =>
        new Gauge<'queue'>({
          name: 'queue_schedules_missing',
          help: 'Schedules a worker declares that its last check did not find in Redis (it puts them back), sampled at scrape time.',
          labelNames: ['queue'],
          registers,
          async collect() {
            this.reset();
            for (const { queue, sample } of await sampleAll(depth)) {
              if (sample.schedulesMissing !== undefined) this.set({ queue }, sample.schedulesMissing);
            }
          },
        }),
    );
  }

  /** Exports depth for `source.queue` until the returned function is called. */
  /**
   * Zero series for a queue's job types, so "no job failed / stalled / went dead" reads as 0
   * in Prometheus instead of as a missing series.
   */
  initJobs(queue: string, jobNames: readonly string[], role: 'producer' | 'worker'): void {
    const counters =
      role === 'producer'
        ? [this.enqueued]
        : [this.completed, this.failed, this.retried, this.stalled, this.deadLettered];
    for (const job_name of jobNames) for (const counter of counters) counter.inc({ queue, job_name }, 0);
  }

  addDepthSource(source: DepthSource): () => void {
    const sources = sourcesOf(this.depth);
    sources.add(source);
    return () => sources.delete(source);
  }

  /**
   * The series one job type updates for every job, bound once (prom-client's own
   * `observe(labels, …)` rebuilds the series key on every call).
   */
  jobSeries(queue: string, jobName: string): JobSeries {
    const key = `${queue}\u0000${jobName}`;
    let series = this.series.get(key);
    if (!series) {
      const labels = { queue, job_name: jobName };
      series = {
        enqueued: new CounterSeries(this.enqueued, labels),
        completed: new CounterSeries(this.completed, labels),
        waitTime: new HistogramSeries(this.waitTime, labels),
        endToEnd: new HistogramSeries(this.endToEnd, labels),
        processedOk: new HistogramSeries(this.processingTime, { ...labels, outcome: 'completed' }),
        processedFailed: new HistogramSeries(this.processingTime, { ...labels, outcome: 'failed' }),
      };
      this.series.set(key, series);
    }
    return series;
  }
}

async function sampleAll(metric: object): Promise<Array<{ queue: string; sample: DepthSample }>> {
  const sources = [...sourcesOf(metric)];
  const samples = await Promise.all(sources.map((source) => source.sample()));
  return sources.flatMap((source, index) => {
    const sample = samples[index];
    return sample ? [{ queue: source.queue, sample }] : [];
  });
}

/** The queue metrics on `registry`; safe to call twice on one registry (the metrics are shared). */
export function createQueueMetrics(registry: MetricsRegistry): QueueMetrics {
  return new QueueMetrics(registry);
}
