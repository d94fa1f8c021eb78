import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { Logger } from '@rnh/redis-client';
import { UnrecoverableError, type Job } from 'bullmq';
import { QueueValidationError } from '../errors.js';
import type { QueueMetrics } from '../metrics.js';
import { MESSAGING_SYSTEM, SPAN_ATTRIBUTES as A, spanName } from '../tracing.js';
import type { JobContext, JobHandler, QueueDefinition } from '../types.js';
import { describeError, formatAttemptLine } from './attempt-log.js';
import { schedulerIdOf } from './dead-entry.js';
import type { InFlight } from './in-flight.js';
import { parsePayload } from './payload.js';
import { withTimeout } from './timeout.js';
import { extractJobContext, remoteSpanContext } from './trace-context.js';

export interface ProcessorArgs {
  definition: QueueDefinition;
  handlers: Record<string, JobHandler<unknown>>;
  tracer: Tracer;
  metrics: QueueMetrics | undefined;
  logger: Logger;
  inFlight: InFlight;
  /** Aborted when the worker gives running jobs up at its shutdown deadline. */
  abandon: AbortSignal;
}

const ATTEMPT_LOG_TIMEOUT_MS = 2000;

/**
 * The function BullMQ runs for each attempt: one CONSUMER span per attempt (a
 * child of the enqueue span, or a new trace linked to the schedule for scheduled
 * jobs), payload validation (an invalid payload is not retried), metrics, and a
 * record of each failed attempt in the job's log.
 */
export function createProcessor(args: ProcessorArgs) {
  const { definition, tracer, metrics, inFlight, abandon } = args;
  const queue = definition.name;

  return async (job: Job, _token?: string, bullSignal?: AbortSignal): Promise<void> => {
    const jobName = job.name;
    const label = { queue, job_name: definition.jobs[jobName] ? jobName : 'unknown' };
    const attempt = job.attemptsMade + 1;
    const scheduleId = schedulerIdOf(job);
    const producer = extractJobContext(job.opts.telemetry?.metadata);
    // A scheduled job starts its own trace (the schedule would otherwise be one endless trace).
    const parent = scheduleId ? ROOT_CONTEXT : producer;
    const link = scheduleId ? remoteSpanContext(producer) : undefined;
    const links: Link[] = link ? [{ context: link }] : [];
    const span = tracer.startSpan(
      spanName('process', queue),
      {
        kind: SpanKind.CONSUMER,
        links,
        attributes: {
          [A.system]: MESSAGING_SYSTEM,
          [A.destination]: queue,
          [A.operationType]: 'process',
          [A.operationName]: 'process',
          [A.messageId]: String(job.id),
          [A.jobName]: jobName,
          [A.attempt]: attempt,
          ...(scheduleId ? { [A.scheduleId]: scheduleId } : {}),
        },
      },
      parent,
    );

    return context.with(trace.setSpan(parent, span), async () => {
      const startedAt = new Date();
      const started = performance.now();
      if (metrics && job.attemptsStarted <= 1 && job.processedOn) {
        const readyAt = job.timestamp + (job.delay ?? 0);
        metrics.waitTime.observe(label, Math.max(0, job.processedOn - readyAt) / 1000);
      }
      const release = inFlight.add();
      const signal = bullSignal ? AbortSignal.any([abandon, bullSignal]) : abandon;
      try {
        const handler = args.handlers[jobName];
        const schema = definition.jobs[jobName]?.schema;
        if (!handler || !schema)
          throw new UnrecoverableError(`queue "${queue}" has no handler for job "${jobName}"`);
        const payload = parseOrGiveUp(queue, jobName, schema, job.data);
        const jobContext: JobContext = {
          queue,
          name: jobName,
          id: String(job.id),
          attempt,
          maxAttempts: job.opts.attempts ?? 1,
          enqueuedAt: new Date(job.timestamp),
          scheduleId,
          signal,
          logger: childLogger(args.logger, { queue, job: jobName, jobId: String(job.id), attempt }),
        };
        await handler(payload, jobContext);
        metrics?.observeProcessing({ ...label, outcome: 'completed' }, seconds(started), exemplarOf(span));
      } catch (error) {
        // Given up at shutdown: not a failed attempt (another worker takes the job over).
        if (!abandon.aborted) {
          metrics?.observeProcessing({ ...label, outcome: 'failed' }, seconds(started), exemplarOf(span));
          await recordAttempt(job, attempt, startedAt, error);
        }
        const { name } = describeError(error);
        span.recordException(error instanceof Error ? error : { name, message: String(error) });
        span.setStatus({ code: SpanStatusCode.ERROR, message: name });
        throw error;
      } finally {
        span.end();
        release();
      }
    });
  };
}

function parseOrGiveUp(
  queue: string,
  jobName: string,
  schema: Parameters<typeof parsePayload>[2],
  data: unknown,
) {
  try {
    return parsePayload(queue, jobName, schema, data);
  } catch (error) {
    // A stored payload the schema rejects (it changed since) fails the same way every time.
    if (error instanceof QueueValidationError) throw new UnrecoverableError(error.message);
    throw error;
  }
}

/** Best effort: a failed attempt's record in the job's log (the dead-letter history). */
async function recordAttempt(job: Job, attempt: number, startedAt: Date, error: unknown): Promise<void> {
  const line = formatAttemptLine({
    attempt,
    startedAt: startedAt.toISOString(),
    failedAt: new Date().toISOString(),
    error: describeError(error),
  });
  await withTimeout(job.log(line), ATTEMPT_LOG_TIMEOUT_MS, 'attempt log').catch(() => undefined);
}

function seconds(started: number): number {
  return (performance.now() - started) / 1000;
}

function exemplarOf(span: Span): Record<string, string> | undefined {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return (traceFlags & TraceFlags.SAMPLED) !== 0 ? { trace_id: traceId, span_id: spanId } : undefined;
}

function childLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  const withChild = logger as Logger & { child?: (bindings: Record<string, unknown>) => Logger };
  return typeof withChild.child === 'function' ? withChild.child(bindings) : logger;
}
