import { trace } from '@opentelemetry/api';
import { connectRedis, silentLogger, type Logger, type RedisClient } from '@rnh/redis-client';
import { DeadLetterQueue } from './dead-letters.js';
import { DEFAULT_OPERATION_TIMEOUT_MS, DEFAULT_WORKER_OPTIONS } from './defaults.js';
import { QueueClosedError, QueueError, QueueUnavailableError } from './errors.js';
import { createBullQueue, type BullQueue } from './internal/bull-queue.js';
import { DeadLetterStore } from './internal/dead-letter-store.js';
import { countJobs, DepthSampler } from './internal/depth-sampler.js';
import { Enqueuer, NO_OPTIONS } from './internal/enqueuer.js';
import { queueKeys, type QueueKeys } from './internal/names.js';
import { queueRedis, type QueueRedis } from './internal/queue-redis.js';
import { SecretFields } from './internal/secret-fields.js';
import { createQueueMetrics } from './metrics.js';
import { TRACER_NAME } from './tracing.js';
import type {
  BulkJob,
  EnqueueOptions,
  EnqueueResult,
  JobDefinitions,
  JobName,
  PayloadInput,
  QueueCounts,
  QueueDefinition,
  QueueDeps,
  QueueProducerOptions,
} from './types.js';

/**
 * Adds jobs to one queue, typed by its definition. Uses the shared `producer`
 * connection, which fails fast: when Redis is down, `enqueue` rejects at once with
 * QueueUnavailableError (answer 503) instead of queueing the command in memory.
 * Connects on first use, never in the constructor.
 */
export class QueueProducer<J extends JobDefinitions> {
  readonly definition: QueueDefinition<J>;
  /** List, retry and purge the queue's dead jobs (e.g. from admin routes). */
  readonly deadLetters: DeadLetterQueue;
  private readonly redis: QueueRedis;
  private readonly logger: Logger;
  private readonly keys: QueueKeys;
  private readonly store: DeadLetterStore;
  private readonly enqueuer: Enqueuer;
  private readonly unregister: Array<() => void> = [];
  private queue: BullQueue | undefined;
  private closing: Promise<void> | undefined;

  constructor(deps: QueueDeps, definition: QueueDefinition<J>, options: QueueProducerOptions = {}) {
    this.definition = definition;
    this.redis = queueRedis(deps);
    this.logger = deps.logger ?? silentLogger();
    this.keys = queueKeys(this.redis.keys, definition.name);
    this.store = new DeadLetterStore(this.keys, definition.deadLetter);
    const metrics = deps.registry ? createQueueMetrics(deps.registry) : undefined;
    metrics?.initJobs(definition.name, Object.keys(definition.jobs), 'producer');
    // Without a key, job types with secret fields are refused at enqueue (the others work).
    const secrets = new SecretFields(definition, options.sealingKey);
    this.enqueuer = new Enqueuer({
      definition,
      tracer: deps.tracer ?? trace.getTracer(TRACER_NAME),
      metrics,
      timeoutMs: options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
      secrets,
      client: () => this.client(),
      queue: () => this.bullQueue(),
    });
    this.deadLetters = new DeadLetterQueue(
      definition.name,
      this.store,
      () => this.client(),
      this.enqueuer,
      secrets,
    );
    if (metrics && options.depthMetrics) {
      const sampler = new DepthSampler(
        definition.name,
        // Asked for depth metrics, the producer reports its queue even before its first enqueue
        // (the first scrape opens the connection, the next ones read): an app that only produces
        // shows a backlog that no worker drains.
        () => (this.closing ? undefined : { queue: this.bullQueue(), client: this.client() }),
        this.store,
        options.depthCacheMs ?? DEFAULT_WORKER_OPTIONS.depthCacheMs,
        this.logger,
      );
      this.unregister.push(metrics.addDepthSource(sampler));
    }
  }

  get name(): string {
    return this.definition.name;
  }

  /**
   * Validates the payload with the job's schema (QueueValidationError with the
   * schema's message, nothing written), seals its secret fields (QueueSealingError
   * without a sealingKey), then adds the job with its type's retry, backoff and
   * retention policy. The active trace context travels with the job.
   */
  enqueue<N extends JobName<J>>(
    job: N,
    payload: PayloadInput<J, N>,
    options: EnqueueOptions = NO_OPTIONS,
  ): Promise<EnqueueResult> {
    if (this.closing)
      return Promise.reject(new QueueClosedError(`producer of queue "${this.name}" is closed`));
    return this.enqueuer.enqueue(job, payload, options);
  }

  /**
   * Adds several jobs in one round trip; answers one result per job, in order. Every
   * payload is validated and sealed first: one invalid payload rejects the call and
   * nothing is written. One `send` span covers the batch (each job continues its
   * trace). Not atomic: if Redis fails part-way through, some jobs may have been
   * added, so give jobs idempotency keys when the batch may be retried.
   */
  enqueueBulk(jobs: ReadonlyArray<BulkJob<J>>): Promise<EnqueueResult[]> {
    if (this.closing)
      return Promise.reject(new QueueClosedError(`producer of queue "${this.name}" is closed`));
    return this.enqueuer.enqueueBulk(jobs);
  }

  /**
   * Connects the producer's connection now (it is otherwise opened by the first
   * enqueue) and waits until it is ready: call it at start-up to fail fast.
   */
  async connect(timeoutMs = this.redis.connectTimeoutMs): Promise<void> {
    try {
      await connectRedis(this.client(), { timeoutMs });
    } catch (error) {
      throw new QueueUnavailableError(
        this.name,
        'connect',
        `queue producer cannot connect: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Jobs per state, dead included (what the `queue_jobs` gauge reports). */
  async counts(): Promise<QueueCounts> {
    try {
      return await countJobs(this.bullQueue(), this.store, this.client());
    } catch (error) {
      if (error instanceof QueueError) throw error;
      throw new QueueUnavailableError(this.name, 'counts', `queue counts failed: ${String(error)}`, {
        cause: error,
      });
    }
  }

  /** Stops using the queue; closes the producer's own duplicate of the user's client (a RedisConnections' shared one stays open). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const unregister of this.unregister.splice(0)) unregister();
      await this.queue?.close().catch(() => undefined);
      await this.redis.closeProducer();
    })();
    return this.closing;
  }

  private client(): RedisClient {
    return this.redis.producer();
  }

  private bullQueue(): BullQueue {
    if (this.closing) throw new QueueClosedError(`producer of queue "${this.name}" is closed`);
    this.queue ??= createBullQueue(this.name, this.client(), this.keys.bullPrefix, this.logger);
    return this.queue;
  }
}
