import { randomUUID } from 'node:crypto';
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { connectRedis, type RedisClient } from '@rnh/redis-client';
import type { JobsOptions, Queue } from 'bullmq';
import { QueueArgumentError, QueueError, QueueUnavailableError } from '../errors.js';
import type { JobSeries, QueueMetrics } from '../metrics.js';
import { MESSAGING_SYSTEM, SPAN_ATTRIBUTES as A, spanName } from '../tracing.js';
import type { EnqueueOptions, EnqueueResult, QueueDefinition } from '../types.js';
import { assertEnqueueOptions, jobOptions, templateOptions } from './job-options.js';
import { parsePayload } from './payload.js';
import type { SecretFields } from './secret-fields.js';
import { Deadlines } from './timeout.js';
import { injectJobContext } from './trace-context.js';

export interface EnqueuerArgs {
  definition: QueueDefinition;
  tracer: Tracer;
  metrics: QueueMetrics | undefined;
  timeoutMs: number;
  /** Seals the job types' secret fields before anything is written. */
  secrets: SecretFields;
  /** The connection used (checked for readiness: a producer fails fast). */
  client: () => RedisClient;
  queue: () => Queue;
}

/**
 * Validates, seals (secret fields), traces and adds one job. Shared by the producer and
 * the dead-letter retry. Nothing reaches Redis unless the payload is valid, its secret
 * fields are sealed and the connection is up.
 */
export class Enqueuer {
  private readonly sendName: string;
  private readonly deadlines: Deadlines;
  /** BullMQ options per job type (its policy's), computed once. */
  private readonly bases = new Map<string, JobsOptions>();

  constructor(private readonly args: EnqueuerArgs) {
    this.sendName = spanName('send', args.definition.name);
    this.deadlines = new Deadlines(args.timeoutMs, 'enqueue');
  }

  /**
   * `jobId`: the job's id (the dead-letter retry gives one). Without it, BullMQ
   * numbers the job, except with an idempotency key: a UUID of ours then tells a
   * new job from an earlier one the key matched.
   */
  enqueue(
    jobName: string,
    payload: unknown,
    options: EnqueueOptions = {},
    jobId?: string,
  ): Promise<EnqueueResult> {
    const { definition, tracer } = this.args;
    const queue = definition.name;
    const job = definition.jobs[jobName];
    if (!job) return Promise.reject(new QueueArgumentError(`queue "${queue}" has no job "${jobName}"`));
    try {
      assertEnqueueOptions(options);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const parent = context.active();
    // Not made active: nothing runs inside it; its context goes into the job explicitly.
    const span = tracer.startSpan(
      this.sendName,
      { kind: SpanKind.PRODUCER, attributes: this.attributesOf(jobName) },
      parent,
    );
    let data: unknown;
    try {
      data = this.args.secrets.seal(jobName, parsePayload(queue, jobName, job.schema, payload));
    } catch (error) {
      return Promise.reject(this.failed(span, jobName, error));
    }
    const client = this.args.client();
    if (client.status !== 'ready')
      return ensureReady(client, queue, jobName, this.args.timeoutMs).then(
        () => this.add(span, parent, jobName, data, options, jobId),
        (error: unknown) => Promise.reject(this.failed(span, jobName, error)),
      );
    return this.add(span, parent, jobName, data, options, jobId);
  }

  /**
   * Adds the validated job. One promise per enqueue, settled by BullMQ's answer or by
   * the deadline, whichever comes first (a late answer is then ignored).
   */
  private add(
    span: Span,
    parent: Context,
    jobName: string,
    data: unknown,
    options: EnqueueOptions,
    jobId: string | undefined,
  ): Promise<EnqueueResult> {
    return new Promise<EnqueueResult>((resolve, reject) => {
      const id = jobId ?? (options.idempotencyKey !== undefined ? randomUUID() : undefined);
      let added: Promise<{ id?: string | undefined }>;
      try {
        const policy = this.args.definition.policies[jobName]!;
        let base = this.bases.get(jobName);
        if (!base) this.bases.set(jobName, (base = templateOptions(policy, undefined)));
        const metadata = injectJobContext(trace.setSpan(parent, span));
        added = this.args
          .queue()
          .add(jobName, data, jobOptions(jobName, policy, options, id, metadata, base));
      } catch (error) {
        reject(this.failed(span, jobName, error));
        return;
      }
      const deadline = this.deadlines.start((timeout) => reject(this.failed(span, jobName, timeout)));
      added.then(
        (job) => {
          if (this.deadlines.settle(deadline)) resolve(this.succeeded(span, jobName, id, String(job.id)));
        },
        (error: unknown) => {
          if (this.deadlines.settle(deadline)) reject(this.failed(span, jobName, error));
        },
      );
    });
  }

  private succeeded(span: Span, jobName: string, id: string | undefined, addedId: string): EnqueueResult {
    const deduplicated = id !== undefined && addedId !== id;
    span.setAttributes({ [A.messageId]: addedId, [A.deduplicated]: deduplicated });
    span.end();
    const metrics = this.args.metrics;
    if (!deduplicated && metrics) this.seriesOf(metrics, jobName).enqueued.inc();
    return { id: addedId, deduplicated };
  }

  /** Ends the span as failed; the error to reject with (a QueueError). */
  private failed(span: Span, jobName: string, error: unknown): QueueError {
    const failure =
      error instanceof QueueError
        ? error
        : new QueueUnavailableError(
            this.args.definition.name,
            'enqueue',
            `job "${jobName}" was not enqueued: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
    span.recordException(failure);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.name });
    span.end();
    return failure;
  }

  /** The send span's attributes per job type, built once (the SDK copies them). */
  private readonly attributes = new Map<string, Attributes>();

  private attributesOf(jobName: string): Attributes {
    let attributes = this.attributes.get(jobName);
    if (!attributes)
      this.attributes.set(
        jobName,
        (attributes = {
          [A.system]: MESSAGING_SYSTEM,
          [A.destination]: this.args.definition.name,
          [A.operationType]: 'send',
          [A.operationName]: 'send',
          [A.jobName]: jobName,
        }),
      );
    return attributes;
  }

  private readonly series = new Map<string, JobSeries>();

  private seriesOf(metrics: QueueMetrics, jobName: string): JobSeries {
    let series = this.series.get(jobName);
    if (!series) this.series.set(jobName, (series = metrics.jobSeries(this.args.definition.name, jobName)));
    return series;
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
  jobName: string,
  timeoutMs: number,
): Promise<void> {
  if (client.status === 'ready') return;
  const notEnqueued = `job "${jobName}" was not enqueued`;
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
