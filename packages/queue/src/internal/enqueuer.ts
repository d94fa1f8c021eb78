import { randomUUID } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { connectRedis, type RedisClient } from '@rnh/redis-client';
import type { Queue } from 'bullmq';
import { QueueArgumentError, QueueError, QueueUnavailableError } from '../errors.js';
import type { QueueMetrics } from '../metrics.js';
import { MESSAGING_SYSTEM, SPAN_ATTRIBUTES as A, spanName } from '../tracing.js';
import type { EnqueueOptions, EnqueueResult, QueueDefinition } from '../types.js';
import { assertEnqueueOptions, jobOptions } from './job-options.js';
import { parsePayload } from './payload.js';
import { withTimeout } from './timeout.js';
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
  constructor(private readonly args: EnqueuerArgs) {}

  async enqueue(
    jobName: string,
    payload: unknown,
    options: EnqueueOptions = {},
    jobId: string = randomUUID(),
  ): Promise<EnqueueResult> {
    const { definition, tracer, metrics } = this.args;
    const queue = definition.name;
    const job = definition.jobs[jobName];
    if (!job) throw new QueueArgumentError(`queue "${queue}" has no job "${jobName}"`);
    assertEnqueueOptions(options);
    const attributes = {
      [A.system]: MESSAGING_SYSTEM,
      [A.destination]: queue,
      [A.operationType]: 'send',
      [A.operationName]: 'send',
      [A.jobName]: jobName,
    };
    return tracer.startActiveSpan(
      spanName('send', queue),
      { kind: SpanKind.PRODUCER, attributes },
      async (span) => {
        try {
          const data = parsePayload(queue, jobName, job.schema, payload);
          await ensureReady(this.args.client(), queue, jobName, this.args.timeoutMs);
          const opts = jobOptions(
            jobName,
            definition.policies[jobName]!,
            options,
            jobId,
            injectJobContext(context.active()),
          );
          const added = await withTimeout(
            this.args.queue().add(jobName, data, opts),
            this.args.timeoutMs,
            'enqueue',
          );
          const id = String(added.id);
          const deduplicated = id !== jobId;
          span.setAttributes({ [A.messageId]: id, [A.deduplicated]: deduplicated });
          if (!deduplicated) metrics?.enqueued.inc({ queue, job_name: jobName });
          return { id, deduplicated };
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
      },
    );
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
