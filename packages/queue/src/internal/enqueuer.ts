import { randomUUID } from 'node:crypto';
import { context, SpanKind, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { connectRedis, type RedisClient } from '@rnh/redis-client';
import type { Job, JobsOptions } from 'bullmq';
import { QueueArgumentError, QueueUnavailableError, type QueueError } from '../errors.js';
import type { QueueMetrics } from '../metrics.js';
import { MESSAGING_SYSTEM, SPAN_ATTRIBUTES as A, spanName } from '../tracing.js';
import type { EnqueueOptions, EnqueueResult, QueueDefinition } from '../types.js';
import type { BullQueue } from './bull-queue.js';
import { Deadlines } from './deadlines.js';
import { assertEnqueueOptions, jobOptions } from './job-options.js';
import { parsePayload } from './payload.js';
import { PendingBulk, PendingJob, failure } from './pending-enqueue.js';
import type { SecretFields } from './secret-fields.js';
import { sendContextOf, sendTypes, type SendType } from './send-types.js';

export interface EnqueuerArgs {
  definition: QueueDefinition;
  tracer: Tracer;
  metrics: QueueMetrics | undefined;
  timeoutMs: number;
  /** Seals the job types' secret fields before anything is written. */
  secrets: SecretFields;
  /** The connection used (checked for readiness: a producer fails fast). */
  client: () => RedisClient;
  queue: () => BullQueue;
}

/** One job of an `enqueueBulk` call. */
export interface BulkEntry {
  job: string;
  payload: unknown;
  options?: EnqueueOptions;
}

/** The options of an enqueue that sets none: one object, so "nothing per job" is one comparison. */
export const NO_OPTIONS: EnqueueOptions = Object.freeze({});

/**
 * Validates, seals (secret fields), traces and adds jobs. Shared by the producer and
 * the dead-letter retry. Nothing reaches Redis unless every payload is valid, its secret
 * fields are sealed and the connection is up.
 *
 * Per job it does only what differs from job to job: what a job type shares (its BullMQ
 * options, span options, metric series) is built once, and without an OpenTelemetry SDK
 * (the `send` span does not record and has no valid context) nothing is injected.
 */
export class Enqueuer {
  private readonly queueName: string;
  private readonly sendName: string;
  private readonly deadlines: Deadlines;
  private readonly types: ReadonlyMap<string, SendType>;

  constructor(private readonly args: EnqueuerArgs) {
    this.queueName = args.definition.name;
    this.sendName = spanName('send', args.definition.name);
    this.deadlines = new Deadlines(args.timeoutMs, 'enqueue');
    this.types = sendTypes(args.definition, args.metrics);
  }

  /**
   * `jobId`: the job's id (the dead-letter retry gives one). Without it, BullMQ
   * numbers the job, except with an idempotency key: a UUID of ours then tells a
   * new job from an earlier one the key matched.
   */
  enqueue(
    jobName: string,
    payload: unknown,
    options: EnqueueOptions = NO_OPTIONS,
    jobId?: string,
  ): Promise<EnqueueResult> {
    const type = this.types.get(jobName);
    if (!type) return Promise.reject(this.unknownJob(jobName));
    if (options !== NO_OPTIONS) {
      try {
        assertEnqueueOptions(options);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    const parent = context.active();
    // Not made active: nothing runs inside it; its context goes into the job explicitly.
    const span = this.args.tracer.startSpan(this.sendName, type.spanOptions, parent);
    let data: unknown;
    try {
      data = this.dataOf(type, payload);
    } catch (error) {
      return Promise.reject(failure(this.queueName, span, type.description, error));
    }
    const client = this.args.client();
    if (client.status !== 'ready')
      return ensureReady(client, this.queueName, type.description, this.args.timeoutMs).then(
        () => this.add(type, span, parent, data, options, jobId),
        (error: unknown) => Promise.reject(failure(this.queueName, span, type.description, error)),
      );
    return this.add(type, span, parent, data, options, jobId);
  }

  /**
   * Several jobs in one round trip (a pipeline): all validated and sealed first (one
   * invalid payload rejects the call, nothing written), then one `send` span for the
   * batch, whose context every job carries. Not atomic: when Redis fails part-way, some
   * jobs may have been added (idempotency keys make a retry of the whole batch safe).
   */
  enqueueBulk(entries: readonly BulkEntry[]): Promise<EnqueueResult[]> {
    if (entries.length === 0) return Promise.resolve([]);
    const types: SendType[] = [];
    for (const entry of entries) {
      const type = this.types.get(entry.job);
      if (!type) return Promise.reject(this.unknownJob(entry.job));
      if (entry.options !== undefined && entry.options !== NO_OPTIONS) {
        try {
          assertEnqueueOptions(entry.options);
        } catch (error) {
          return Promise.reject(error as Error);
        }
      }
      types.push(type);
    }
    const parent = context.active();
    const span = this.args.tracer.startSpan(this.sendName, this.bulkSpanOptions(types), parent);
    const description = `${entries.length} jobs were`;
    const data: unknown[] = [];
    try {
      for (let index = 0; index < entries.length; index++)
        data.push(this.dataOf(types[index]!, entries[index]!.payload));
    } catch (error) {
      return Promise.reject(failure(this.queueName, span, description, error));
    }
    const client = this.args.client();
    const add = () => this.addBulk(types, entries, data, span, parent, description);
    if (client.status !== 'ready')
      return ensureReady(client, this.queueName, description, this.args.timeoutMs).then(
        add,
        (error: unknown) => Promise.reject(failure(this.queueName, span, description, error)),
      );
    return add();
  }

  /** Validated with the job's schema, secret fields sealed. */
  private dataOf(type: SendType, payload: unknown): unknown {
    const data = parsePayload(this.queueName, type.name, type.schema, payload);
    return type.hasSecrets ? this.args.secrets.seal(type.name, data) : data;
  }

  /**
   * Adds the validated job. One promise per enqueue, settled by BullMQ's answer or by
   * the deadline, whichever comes first (a late answer is then ignored).
   */
  private add(
    type: SendType,
    span: Span,
    parent: Context,
    data: unknown,
    options: EnqueueOptions,
    jobId: string | undefined,
  ): Promise<EnqueueResult> {
    const id = jobId ?? (options.idempotencyKey !== undefined ? randomUUID() : undefined);
    let added: Promise<Job>;
    try {
      const opts = this.optionsOf(type, options, id, sendContextOf(span, parent));
      added = this.args.queue().addUntraced(type.name, data, opts);
    } catch (error) {
      return Promise.reject(failure(this.queueName, span, type.description, error));
    }
    const pending = new PendingJob(this.queueName, span, type, id);
    this.deadlines.start(pending);
    void this.settleJob(pending, added);
    return pending.promise;
  }

  private async settleJob(pending: PendingJob, added: Promise<Job>): Promise<void> {
    let job: Job;
    try {
      job = await added;
    } catch (error) {
      if (this.deadlines.settle(pending)) pending.fail(error);
      return;
    }
    if (this.deadlines.settle(pending)) pending.succeed(String(job.id));
  }

  private addBulk(
    types: readonly SendType[],
    entries: readonly BulkEntry[],
    data: readonly unknown[],
    span: Span,
    parent: Context,
    description: string,
  ): Promise<EnqueueResult[]> {
    const ids: Array<string | undefined> = [];
    let added: Promise<Job[]>;
    try {
      const metadata = sendContextOf(span, parent);
      const jobs = entries.map((entry, index) => {
        const options = entry.options ?? NO_OPTIONS;
        const id = options.idempotencyKey !== undefined ? randomUUID() : undefined;
        ids.push(id);
        const type = types[index]!;
        return { name: type.name, data: data[index], opts: this.optionsOf(type, options, id, metadata) };
      });
      added = this.args.queue().addBulkUntraced(jobs);
    } catch (error) {
      return Promise.reject(failure(this.queueName, span, description, error));
    }
    const pending = new PendingBulk(this.queueName, span, description, types, ids);
    this.deadlines.start(pending);
    void this.settleBulk(pending, added);
    return pending.promise;
  }

  private async settleBulk(pending: PendingBulk, added: Promise<Job[]>): Promise<void> {
    let jobs: Job[];
    try {
      jobs = await added;
    } catch (error) {
      if (this.deadlines.settle(pending)) pending.fail(error);
      return;
    }
    if (this.deadlines.settle(pending)) pending.succeed(jobs.map((job) => String(job.id)));
  }

  /** The job type's shared options when nothing is set for this one job; a new object otherwise. */
  private optionsOf(
    type: SendType,
    options: EnqueueOptions,
    id: string | undefined,
    metadata: string | undefined,
  ): JobsOptions {
    if (id === undefined && metadata === undefined && options === NO_OPTIONS) return type.options;
    return jobOptions(type.name, type.policy, options, id, metadata, type.options);
  }

  private bulkSpanOptions(types: readonly SendType[]) {
    const first = types[0]!.name;
    const oneType = types.every((type) => type.name === first);
    return {
      kind: SpanKind.PRODUCER,
      attributes: {
        [A.system]: MESSAGING_SYSTEM,
        [A.destination]: this.queueName,
        [A.operationType]: 'send',
        [A.operationName]: 'send',
        [A.batchCount]: types.length,
        ...(oneType ? { [A.jobName]: first } : {}),
      },
    };
  }

  private unknownJob(jobName: string): QueueError {
    return new QueueArgumentError(`queue "${this.queueName}" has no job "${jobName}"`);
  }
}

/**
 * Fail fast: a connection known to be down (reconnecting, closed) fails the
 * enqueue at once; a first connect still in progress is waited for, up to the
 * enqueue timeout.
 */
async function ensureReady(
  client: RedisClient,
  queue: string,
  description: string,
  timeoutMs: number,
): Promise<void> {
  if (client.status === 'ready') return;
  const notEnqueued = `${description} not enqueued`;
  if (client.status === 'reconnecting' || client.status === 'close' || client.status === 'end')
    throw new QueueUnavailableError(
      queue,
      'enqueue',
      `Redis is not connected (${client.status}): ${notEnqueued}`,
    );
  try {
    await connectRedis(client, { timeoutMs });
  } catch (error) {
    throw new QueueUnavailableError(
      queue,
      'enqueue',
      `Redis is not connected (${error instanceof Error ? error.message : String(error)}): ${notEnqueued}`,
      { cause: error },
    );
  }
}
