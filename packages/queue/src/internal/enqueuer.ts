import { randomUUID } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { connectRedis, type RedisClient } from '@rnh/redis-client';
import type { JobsOptions, Queue } from 'bullmq';
import { QueueArgumentError, QueueError, QueueUnavailableError } from '../errors.js';
import type { QueueMetrics } from '../metrics.js';
import { MESSAGING_SYSTEM, SPAN_ATTRIBUTES as A, spanName } from '../tracing.js';
import type { EnqueueOptions, EnqueueResult, QueueDefinition } from '../types.js';
import { assertEnqueueOptions, jobOptions, templateOptions } from './job-options.js';
import { parsePayload } from './payload.js';
import { Deadlines } from './timeout.js';
import { injectJobContext } from './trace-context.js';

export interface EnqueuerArgs {
  definition: QueueDefinition;
  tracer: Tracer;
  metrics: QueueMetrics | undefined;
  timeoutMs: number;
  /** The connection used (checked for readiness: a producer fails fast). */
  client: () => RedisClient;
  queue: () => Queue;
}

/**
 * Validates, traces and adds one job. Shared by the producer and the dead-letter
 * retry. Nothing reaches Redis unless the payload is valid and the connection is up.
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
  async enqueue(
    jobName: string,
    payload: unknown,
    options: EnqueueOptions = {},
    jobId?: string,
  ): Promise<EnqueueResult> {
    const { definition, tracer, metrics } = this.args;
    const queue = definition.name;
    const job = definition.jobs[jobName];
    if (!job) throw new QueueArgumentError(`queue "${queue}" has no job "${jobName}"`);
    assertEnqueueOptions(options);
    const parent = context.active();
    // Not made active: nothing runs inside it; its context goes into the job explicitly.
    const span = tracer.startSpan(
      this.sendName,
      {
        kind: SpanKind.PRODUCER,
        attributes: this.attributesOf(jobName),
      },
      parent,
    );
    try {
      const data = parsePayload(queue, jobName, job.schema, payload);
      const client = this.args.client();
      if (client.status !== 'ready') await ensureReady(client, queue, jobName, this.args.timeoutMs);
      const id = jobId ?? (options.idempotencyKey !== undefined ? randomUUID() : undefined);
      const policy = definition.policies[jobName]!;
      let base = this.bases.get(jobName);
      if (!base) this.bases.set(jobName, (base = templateOptions(policy, undefined)));
      const opts = jobOptions(
        jobName,
        policy,
        options,
        id,
        injectJobContext(trace.setSpan(parent, span)),
        base,
      );
      const added = await this.deadlines.race(this.args.queue().add(jobName, data, opts));
      const addedId = String(added.id);
      const deduplicated = id !== undefined && addedId !== id;
      span.setAttributes({ [A.messageId]: addedId, [A.deduplicated]: deduplicated });
      if (!deduplicated) metrics?.enqueued.inc(this.labelOf(jobName));
      return { id: addedId, deduplicated };
    } catch (error) {
      const failure =
        error instanceof QueueError
          ? error
          : new QueueUnavailableError(
              queue,
              'enqueue',
              `job "${jobName}" was not enqueued: ${error instanceof Error ? error.message : String(error)}`,
              { cause: error },
            );
      span.recordException(failure);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.name });
      throw failure;
    } finally {
      span.end();
    }
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

  private readonly labels = new Map<string, { queue: string; job_name: string }>();

  private labelOf(jobName: string): { queue: string; job_name: string } {
    let label = this.labels.get(jobName);
    if (!label) this.labels.set(jobName, (label = { queue: this.args.definition.name, job_name: jobName }));
    return label;
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
