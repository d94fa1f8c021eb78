import type { Logger, RedisConnections, RedisPackageDeps } from '@rnh/redis-client';
import type { z } from 'zod';

/**
 * What producers and workers are built from. Nothing connects until first use.
 * `keys`: the queues' keyspace or prefix, default `rnh:queue:` (with a RedisConnections,
 * `<its prefix>queue:`) -> BullMQ keys `rnh:queue:{<queue>}:<queue>:...`.
 * `logger` (default silent), `registry` (no metrics without it), `tracer` (default: the global one).
 */
export interface QueueDeps extends Omit<RedisPackageDeps, 'redis'> {
  /**
   * The user's own ioredis client: a producer enqueues on a duplicate that fails fast
   * (no offline queue), a worker blocks on a duplicate with `maxRetriesPerRequest: null`
   * (as BullMQ requires); the client itself is left alone and never closed.
   * Or the app's RedisConnections: its shared `producer` role, a `worker` role per worker.
   */
  redis: RedisPackageDeps['redis'] | RedisConnections;
}

/** Exponential backoff: attempt n waits a random time in [(1 - jitter) * d, d] with d = delayMs * 2^(n-1). */
export interface BackoffPolicy {
  delayMs: number;
  /** 0..1: the fraction of each delay that is random, so retries of many jobs spread out. */
  jitter: number;
}

/** How many finished jobs BullMQ keeps, and how long: whichever bound is hit first removes them. */
export interface RetentionPolicy {
  ageSeconds: number;
  count: number;
}

/** Per job type (or queue-wide) settings; each falls back to the queue's `defaults`, then to DEFAULT_JOB_POLICY. */
export interface JobPolicy {
  /** Total tries, the first included. */
  attempts?: number;
  backoff?: Partial<BackoffPolicy>;
  removeOnComplete?: Partial<RetentionPolicy>;
  /** Failed jobs move to the dead-letter store at once; this bounds the ones that could not be moved. */
  removeOnFail?: Partial<RetentionPolicy>;
  /** How long an idempotency key keeps a second enqueue from adding a job. */
  idempotencyTtlMs?: number;
}

export interface ResolvedJobPolicy {
  attempts: number;
  backoff: BackoffPolicy;
  removeOnComplete: RetentionPolicy;
  removeOnFail: RetentionPolicy;
  idempotencyTtlMs: number;
}

/**
 * One job type: its payload schema and retry policy. Payloads are stored as JSON
 * after parsing and parsed again by the worker, so the schema must accept its
 * own output (no type-changing transforms; `z.coerce.date()` for dates).
 */
export interface JobDefinition<S extends z.ZodType = z.ZodType> extends JobPolicy {
  schema: S;
  /**
   * Payload fields (top-level keys of an object schema) that must never rest in Redis in
   * the clear, such as a link that carries a token: sealed at enqueue with the producer's
   * `sealingKey`, opened by the worker just before the handler runs, and shown as
   * `"[redacted]"` by the dead-letter API. Enqueueing such a job without a key is refused.
   */
  secret?: readonly SecretField<S>[];
}

/** A top-level key of the schema's output (any string when the schema's type is not known). */
export type SecretField<S extends z.ZodType> = z.ZodType extends S ? string : keyof z.output<S> & string;

export type JobDefinitions = Record<string, JobDefinition>;

export type JobName<J extends JobDefinitions> = keyof J & string;

/** What `enqueue` accepts for a job type (the schema's input). */
export type PayloadInput<J extends JobDefinitions, N extends JobName<J>> = z.input<J[N]['schema']>;

/** What a handler receives for a job type (the schema's output). */
export type Payload<J extends JobDefinitions, N extends JobName<J>> = z.output<J[N]['schema']>;

/** Bounds of a queue's dead-letter store, applied each time a job is added to it. */
export interface DeadLetterPolicy {
  maxEntries: number;
  maxAgeMs: number;
}

export interface QueueSpec<J extends JobDefinitions> {
  /** 1-48 characters of A-Z a-z 0-9 _ . - ; the `queue` metric label. */
  name: string;
  /** Job types by name; a job's `secret` fields are checked against its schema's keys. */
  jobs: J & { [N in keyof J]: { secret?: readonly SecretField<J[N]['schema']>[] } };
  defaults?: JobPolicy;
  deadLetter?: Partial<DeadLetterPolicy>;
}

/** A validated queue declaration with every policy resolved; shared by the producing and the working app. */
export interface QueueDefinition<J extends JobDefinitions = JobDefinitions> {
  readonly name: string;
  readonly jobs: J;
  readonly policies: { readonly [N in JobName<J>]: ResolvedJobPolicy };
  readonly deadLetter: DeadLetterPolicy;
}

export interface EnqueueOptions {
  /**
   * A second enqueue with the same key (for the same job type) within the job
   * type's `idempotencyTtlMs` adds nothing and answers the first job's id
   * (BullMQ deduplication). Only a hash of the key is stored.
   */
  idempotencyKey?: string;
  idempotencyTtlMs?: number;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
  /** 1 (first) .. 2 097 151; jobs without a priority go before prioritized ones (BullMQ). */
  priority?: number;
}

/** One job of `enqueueBulk`: its type, its payload and, optionally, its enqueue options. */
export type BulkJob<J extends JobDefinitions> = {
  [N in JobName<J>]: { job: N; payload: PayloadInput<J, N>; options?: EnqueueOptions };
}[JobName<J>];

export interface EnqueueResult {
  id: string;
  /** True when an idempotency key matched an earlier job: `id` is that job's. */
  deduplicated: boolean;
}

/** What a handler is told besides its payload. */
export interface JobContext {
  readonly queue: string;
  readonly name: string;
  readonly id: string;
  /** 1 on the first try; failed tries so far + 1 (a try cut off by a crash is not counted). */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly enqueuedAt: Date;
  /** The schedule that produced the job, if any. */
  readonly scheduleId: string | undefined;
  /** Aborted when the worker gives up on the job (shutdown deadline passed); stop and throw. Built on first read. */
  readonly signal: AbortSignal;
  /** The worker's logger with the queue, job name and id bound (built on first read). */
  readonly logger: Logger;
}

export type JobHandler<P> = (payload: P, context: JobContext) => Promise<void> | void;

/** One handler per job type of the queue. */
export type JobHandlers<J extends JobDefinitions> = { [N in JobName<J>]: JobHandler<Payload<J, N>> };

/** Every N ms, or on a cron pattern (optionally in a time zone). */
export type ScheduleTiming =
  { everyMs: number; cron?: undefined; tz?: undefined } | { cron: string; tz?: string; everyMs?: undefined };

/** A job produced on a schedule: the job type, its payload (validated at start) and when. */
export type ScheduleDefinition<J extends JobDefinitions> = {
  [N in JobName<J>]: { job: N; payload: PayloadInput<J, N> } & ScheduleTiming;
}[JobName<J>];

/** Schedules by id (1-64 characters of A-Z a-z 0-9 _ . -). */
export type ScheduleDefinitions<J extends JobDefinitions> = Record<string, ScheduleDefinition<J>>;

export interface QueueProducerOptions {
  /**
   * The secret that seals the job types' `secret` fields (at least 32 characters; an
   * AES-256-GCM key is derived from it with HKDF). The workers of the queue need the same.
   */
  sealingKey?: string;
  /** An enqueue that Redis has not answered after this long fails with QueueUnavailableError; default 2000 ms. */
  operationTimeoutMs?: number;
  /** Export `queue_jobs` and `queue_oldest_waiting_job_age_seconds` for this queue from here; default false. */
  depthMetrics?: boolean;
  /** How long one depth sample serves scrapes; default 5000 ms. */
  depthCacheMs?: number;
}

export interface QueueWorkerOptions<J extends JobDefinitions> {
  handlers: JobHandlers<J>;
  /** The producers' `sealingKey`; required when a job type of the queue declares `secret` fields. */
  sealingKey?: string;
  /** Jobs run at once by this worker; default 1. */
  concurrency?: number;
  /**
   * Declared schedules, upserted at start. When given (even `{}`), schedulers of
   * this queue that are not declared are removed: the worker owns the queue's schedules.
   */
  schedules?: ScheduleDefinitions<J>;
  /** How long close() waits for running jobs before giving them up; default 25 000 ms. */
  shutdownTimeoutMs?: number;
  /** A job's lock lives this long unless renewed (half-way); a crashed worker's job is taken over after it. Default 30 000 ms. */
  lockDurationMs?: number;
  /** How often stalled jobs (lock lost) are looked for; default 30 000 ms. */
  stalledIntervalMs?: number;
  /** Stalls after which a job fails (and goes to dead) instead of being run again; default 1. */
  maxStalledCount?: number;
  /** How often failed jobs not yet dead-lettered are moved (also at start); default 30 000 ms. */
  deadLetterSweepMs?: number;
  /** Export depth gauges for this queue from this worker; default true. */
  depthMetrics?: boolean;
  depthCacheMs?: number;
  /** Stored on each job it processes (BullMQ `processedBy`), e.g. `host:pid`. */
  name?: string;
}

export interface ShutdownResult {
  /** True when running jobs did not finish by the deadline and were given up (they are retried elsewhere). */
  timedOut: boolean;
  /** Jobs still running when the worker was closed. */
  abandoned: number;
}

export type JobState =
  'waiting' | 'active' | 'delayed' | 'prioritized' | 'waiting-children' | 'completed' | 'failed' | 'dead';

export type QueueCounts = Record<JobState, number>;

export type DeadJobReason = 'attempts-exhausted' | 'unrecoverable' | 'stalled';

/** One failed try, as the worker recorded it. */
export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  failedAt: string;
  error: { name: string; message: string };
}

/** A job that failed for good, with its payload (to retry it) and what went wrong. */
export interface DeadJob {
  /** The original job id; also the dead entry's id. */
  id: string;
  queue: string;
  name: string;
  /** The job's payload; its declared `secret` fields read `"[redacted]"`. */
  payload: unknown;
  reason: DeadJobReason;
  /** The last error. */
  error: { name: string; message: string };
  attemptsMade: number;
  /** Times the job was started, stalls included. */
  attemptsStarted: number;
  maxAttempts: number;
  /** Failed tries in order (a try cut off by a crash leaves no record). */
  attempts: AttemptRecord[];
  /** BullMQ's stack traces of the last failed tries. */
  stacktrace: string[];
  enqueuedAt: string;
  deadAt: string;
  scheduleId?: string;
}

export interface DeadJobPage {
  total: number;
  /** Newest first. */
  jobs: DeadJob[];
}

/** Options of a `Sealer`. */
export interface SealerOptions {
  /**
   * What the values are sealed for, e.g. `"outbox"`: each purpose derives a key of its own from
   * the same secret, so a value sealed for one purpose never opens as another's (nor as a
   * queue's secret field). Omitted: the key producers and workers seal secret fields with.
   */
  purpose?: string;
}
