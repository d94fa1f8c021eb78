import { setMaxListeners } from 'node:events';
import { trace, type Tracer } from '@opentelemetry/api';
import { closeRedis, silentLogger, type Logger, type RedisClient } from '@rnh/redis-client';
import { Worker, type ConnectionOptions, type Job, type Queue } from 'bullmq';
import { DEFAULT_WORKER_OPTIONS } from './defaults.js';
import { QueueArgumentError, QueueClosedError } from './errors.js';
import { describeError } from './internal/attempt-log.js';
import { createBullQueue } from './internal/bull-queue.js';
import { DeadLetterMover } from './internal/dead-letter-mover.js';
import { DeadLetterStore } from './internal/dead-letter-store.js';
import { DepthSampler } from './internal/depth-sampler.js';
import { checkEvictionPolicy } from './internal/eviction-check.js';
import { InFlight } from './internal/in-flight.js';
import { queueKeys, type QueueKeys } from './internal/names.js';
import { queueRedis, type QueueRedis } from './internal/queue-redis.js';
import { createProcessor } from './internal/processor.js';
import { SecretFields } from './internal/secret-fields.js';
import {
  checkSchedules,
  syncSchedules,
  type CheckedSchedule,
  type LooseSchedule,
} from './internal/schedules.js';
import { ScheduleKeeper } from './internal/schedule-keeper.js';
import { withTimeout } from './internal/timeout.js';
import { createQueueMetrics, type JobSeries, type QueueMetrics } from './metrics.js';
import { TRACER_NAME } from './tracing.js';
import type {
  JobDefinitions,
  JobHandler,
  QueueDefinition,
  QueueDeps,
  QueueWorkerOptions,
  ShutdownResult,
} from './types.js';

type Settings = Required<
  Pick<
    QueueWorkerOptions<JobDefinitions>,
    | 'concurrency'
    | 'shutdownTimeoutMs'
    | 'lockDurationMs'
    | 'stalledIntervalMs'
    | 'maxStalledCount'
    | 'deadLetterSweepMs'
    | 'depthCacheMs'
  >
>;

/**
 * Runs the handlers of one queue on a BullMQ Worker with its own `worker`
 * connection (`maxRetriesPerRequest: null`: it waits out Redis outages and loses
 * no job). `start()` checks the eviction policy, syncs the declared schedules,
 * starts processing and moves failed jobs to the dead-letter store; `close()`
 * stops taking jobs, waits for running ones up to a deadline, then gives the rest
 * up (BullMQ's stalled-job check hands them to another worker).
 */
export class QueueWorker<J extends JobDefinitions> {
  readonly definition: QueueDefinition<J>;
  private readonly redis: QueueRedis;
  private readonly tracer: Tracer;
  private readonly logger: Logger;
  private readonly metrics: QueueMetrics | undefined;
  private readonly options: QueueWorkerOptions<J>;
  private readonly settings: Settings;
  private readonly keys: QueueKeys;
  private readonly store: DeadLetterStore;
  private readonly schedules: CheckedSchedule[] | undefined;
  private scheduleKeeper: ScheduleKeeper | undefined;
  private readonly secrets: SecretFields;
  private readonly inFlight = new InFlight();
  private readonly abandon = new AbortController();
  private readonly pendingMoves = new Set<Promise<unknown>>();
  private readonly unregister: Array<() => void> = [];
  private client: RedisClient | undefined;
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private mover: DeadLetterMover | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private closing: Promise<ShutdownResult> | undefined;

  constructor(deps: QueueDeps, definition: QueueDefinition<J>, options: QueueWorkerOptions<J>) {
    this.definition = definition;
    this.redis = queueRedis(deps);
    this.logger = deps.logger ?? silentLogger();
    this.tracer = deps.tracer ?? trace.getTracer(TRACER_NAME);
    this.metrics = deps.registry ? createQueueMetrics(deps.registry) : undefined;
    this.metrics?.initJobs(definition.name, Object.keys(definition.jobs), 'worker');
    this.options = options;
    this.settings = resolveSettings(definition.name, options);
    assertHandlers(definition, options.handlers as Record<string, unknown>);
    this.secrets = new SecretFields(definition, options.sealingKey);
    if (!this.secrets.canSeal && this.secrets.jobs.length > 0)
      throw new QueueArgumentError(
        `worker of queue "${definition.name}" needs the producers' sealingKey: jobs ${this.secrets.jobs.join(', ')} have secret fields`,
      );
    // Checked now (ids, job names, payloads, timing): a bad schedule fails the app at composition.
    const declared = options.schedules as Record<string, LooseSchedule> | undefined;
    this.schedules = declared ? checkSchedules(definition, declared) : undefined;
    // Each running job that reads its signal listens to `abandon` (up to `concurrency` at once).
    setMaxListeners(0, this.abandon.signal);
    this.keys = queueKeys(this.redis.keys, definition.name);
    this.store = new DeadLetterStore(this.keys, definition.deadLetter);
    if (this.metrics && options.depthMetrics !== false) {
      const sampler = new DepthSampler(
        definition.name,
        () =>
          this.queue && this.client && !this.closing ? { queue: this.queue, client: this.client } : undefined,
        this.store,
        this.settings.depthCacheMs,
        this.logger,
        this.schedules ? () => this.scheduleKeeper?.missing : undefined,
      );
      this.unregister.push(this.metrics.addDepthSource(sampler));
    }
  }

  get name(): string {
    return this.definition.name;
  }

  /** True between a successful start() and close(). */
  isRunning(): boolean {
    return Boolean(this.worker?.isRunning()) && !this.closing;
  }

  /** Starts processing; resolves once the worker is connected. Idempotent. */
  start(): Promise<void> {
    if (this.closing) return Promise.reject(new QueueClosedError(`worker of queue "${this.name}" is closed`));
    this.starting ??= this.run();
    return this.starting;
  }

  /** Moves failed jobs not yet dead-lettered (runs at start and every `deadLetterSweepMs`). */
  async sweepDeadLetters(): Promise<number> {
    return this.mover ? this.mover.sweep() : 0;
  }

  /**
   * Graceful shutdown: stop taking jobs, wait up to `timeoutMs` (default
   * `shutdownTimeoutMs`) for running ones, then force-close: running handlers get
   * their signal aborted and their jobs, whose locks are no longer renewed, are
   * taken over by another worker's stalled-job check. Idempotent.
   */
  close(options: { timeoutMs?: number } = {}): Promise<ShutdownResult> {
    this.closing ??= this.shutdown(options.timeoutMs ?? this.settings.shutdownTimeoutMs);
    return this.closing;
  }

  private async run(): Promise<void> {
    const { definition, logger, settings } = this;
    const tracer = this.tracer;
    const schedules = this.schedules;
    const client = this.redis.worker(`queue.${definition.name}`);
    this.client = client;
    const queue = createBullQueue(definition.name, client, this.keys.bullPrefix, logger);
    this.queue = queue;
    await checkEvictionPolicy(client, logger, { connectTimeoutMs: this.redis.connectTimeoutMs });
    this.throwIfClosing();
    if (schedules) {
      const sync = () => syncSchedules(queue, definition, schedules, this.secrets, tracer, logger);
      await sync();
      const keeper = new ScheduleKeeper(
        definition.name,
        queue,
        schedules.map((s) => s.id),
        sync,
        logger,
      );
      this.scheduleKeeper = keeper;
      // A Redis that comes back empty has lost them: sync again on every reconnect.
      const onReady = () => this.track(keeper.resync());
      client.on('ready', onReady);
      this.unregister.push(() => client.off('ready', onReady));
    }
    this.throwIfClosing();

    const processor = createProcessor({
      definition,
      handlers: this.options.handlers as Record<string, JobHandler<unknown>>,
      secrets: this.secrets,
      tracer,
      metrics: this.metrics,
      logger,
      inFlight: this.inFlight,
      abandon: this.abandon.signal,
    });
    const worker = new Worker(definition.name, processor, {
      connection: client as ConnectionOptions,
      prefix: this.keys.bullPrefix,
      autorun: false,
      concurrency: settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: settings.maxStalledCount,
      ...(this.options.name ? { name: this.options.name } : {}),
    });
    this.worker = worker;
    this.mover = new DeadLetterMover({
      definition,
      queue,
      client,
      store: this.store,
      metrics: this.metrics,
      logger,
    });
    this.listen(worker, queue);
    worker
      .run()
      .catch((error: unknown) =>
        logger.error({ queue: this.name, err: describeError(error) }, 'queue worker stopped'),
      );
    await worker.waitUntilReady();
    await this.mover.sweep();
    this.sweepTimer = setInterval(() => {
      this.track(this.mover!.sweep());
      if (this.scheduleKeeper) this.track(this.scheduleKeeper.check().catch(() => undefined));
    }, settings.deadLetterSweepMs);
    this.sweepTimer.unref();
    logger.info({ queue: this.name, concurrency: settings.concurrency }, 'queue worker started');
  }

  private listen(worker: Worker, queue: Queue): void {
    const queueName = this.name;
    // One label object per job name, built once (prom-client only reads it).
    const labels = new Map<string, { queue: string; job_name: string }>();
    const label = (name: string | undefined) => {
      const known = name && this.definition.jobs[name] ? name : 'unknown';
      let found = labels.get(known);
      if (!found) labels.set(known, (found = { queue: queueName, job_name: known }));
      return found;
    };
    const metrics = this.metrics;
    if (metrics) {
      const series = new Map<string, JobSeries>();
      worker.on('completed', (job: Job) => {
        let jobSeries = series.get(job.name);
        if (!jobSeries) {
          jobSeries = metrics.jobSeries(queueName, label(job.name).job_name);
          if (this.definition.jobs[job.name]) series.set(job.name, jobSeries);
        }
        jobSeries.completed.inc();
        jobSeries.endToEnd.observe(Math.max(0, (job.finishedOn ?? Date.now()) - job.timestamp) / 1000);
      });
    }
    worker.on('failed', (job: Job | undefined) => {
      if (!job) return;
      this.metrics?.failed.inc(label(job.name));
      // BullMQ sets finishedOn only when the job failed for good (no retry left, or unrecoverable).
      if (!job.finishedOn) {
        this.metrics?.retried.inc(label(job.name));
        return;
      }
      this.track(
        this.mover!.move(job).catch((error: unknown) =>
          this.logger.warn(
            { queue: queueName, jobId: job.id, err: describeError(error) },
            'could not move a failed job to the dead-letter store yet; the sweep retries',
          ),
        ),
      );
    });
    worker.on('stalled', (jobId: string) => {
      this.track(
        queue
          .getJob(jobId)
          .catch(() => undefined)
          .then((job) => {
            this.metrics?.stalled.inc(label(job?.name));
            this.logger.warn(
              { queue: queueName, jobId, job: job?.name },
              'stalled job taken back (its worker lost the lock)',
            );
          }),
      );
    });
    worker.on('error', (error: Error) => {
      this.logger.error({ queue: queueName, err: describeError(error) }, 'queue worker error');
    });
  }

  /** A start interrupted by close() stops here instead of starting to take jobs. */
  private throwIfClosing(): void {
    if (this.closing) throw new QueueClosedError(`worker of queue "${this.name}" was closed while starting`);
  }

  private track(promise: Promise<unknown>): void {
    this.pendingMoves.add(promise);
    void promise.finally(() => this.pendingMoves.delete(promise));
  }

  private async shutdown(timeoutMs: number): Promise<ShutdownResult> {
    const started = Date.now();
    if (this.starting && !(await settlesWithin(this.starting, Math.min(timeoutMs, STARTUP_GRACE_MS)))) {
      // Still starting: Redis is unreachable (the worker connection waits for it forever).
      // Cut the connection so the start gives up; nothing was taken from the queue yet.
      this.logger.warn({ queue: this.name }, 'closing a queue worker that never finished starting');
      this.client?.disconnect();
      await settlesWithin(this.starting, STARTUP_GRACE_MS);
    }
    clearInterval(this.sweepTimer);
    for (const unregister of this.unregister.splice(0)) unregister();
    let result: ShutdownResult = { timedOut: false, abandoned: 0 };
    const worker = this.worker;
    if (worker) {
      await worker.pause(true); // no new jobs; running ones go on, their locks still renewed
      const drained = await this.inFlight.drained(timeoutMs);
      if (drained) {
        const remaining = Math.max(1000, timeoutMs - (Date.now() - started));
        // Nothing runs and the paused worker takes nothing new, so there is nothing to wait for:
        // a plain close() would wait out BullMQ's blocking poll (seconds) before returning.
        await withTimeout(worker.close(true), remaining, 'worker close').catch((error: unknown) =>
          this.logger.warn({ queue: this.name, err: describeError(error) }, 'worker close did not finish'),
        );
      } else {
        result = { timedOut: true, abandoned: this.inFlight.size };
        this.logger.warn(
          { queue: this.name, abandoned: result.abandoned, timeoutMs },
          'shutdown deadline passed: giving running jobs up; another worker takes them over when their lock expires',
        );
        await worker.close(true);
        this.abandon.abort(new Error('the worker shut down before the job finished'));
      }
    }
    await Promise.allSettled([...this.pendingMoves]);
    await this.queue?.close().catch(() => undefined);
    if (this.client) await closeRedis(this.client);
    this.logger.info({ queue: this.name, ...result }, 'queue worker closed');
    return result;
  }
}

/** How long close() lets an unfinished start() complete before cutting its connection. */
const STARTUP_GRACE_MS = 2000;

/** Whether `promise` settles (either way) within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

function resolveSettings(queue: string, options: Partial<Settings>): Settings {
  const settings: Settings = {
    concurrency: options.concurrency ?? DEFAULT_WORKER_OPTIONS.concurrency,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULT_WORKER_OPTIONS.shutdownTimeoutMs,
    lockDurationMs: options.lockDurationMs ?? DEFAULT_WORKER_OPTIONS.lockDurationMs,
    stalledIntervalMs: options.stalledIntervalMs ?? DEFAULT_WORKER_OPTIONS.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount ?? DEFAULT_WORKER_OPTIONS.maxStalledCount,
    deadLetterSweepMs: options.deadLetterSweepMs ?? DEFAULT_WORKER_OPTIONS.deadLetterSweepMs,
    depthCacheMs: options.depthCacheMs ?? DEFAULT_WORKER_OPTIONS.depthCacheMs,
  };
  for (const [key, value] of Object.entries(settings)) {
    const min = key === 'maxStalledCount' || key === 'shutdownTimeoutMs' || key === 'depthCacheMs' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min)
      throw new QueueArgumentError(
        `worker of queue "${queue}": ${key} must be an integer >= ${min} (got ${value})`,
      );
  }
  return settings;
}

function assertHandlers(definition: QueueDefinition, handlers: Record<string, unknown>): void {
  for (const name of Object.keys(definition.jobs))
    if (typeof handlers[name] !== 'function')
      throw new QueueArgumentError(`worker of queue "${definition.name}" has no handler for job "${name}"`);
  for (const name of Object.keys(handlers))
    if (!definition.jobs[name])
      throw new QueueArgumentError(
        `worker of queue "${definition.name}" has a handler for unknown job "${name}"`,
      );
}
