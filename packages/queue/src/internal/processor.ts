import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { Logger } from '@rnh/redis-client';
import { UnrecoverableError, type Job } from 'bullmq';
import { QueueSealingError, QueueValidationError } from '../errors.js';
import type { JobSeries, QueueMetrics } from '../metrics.js';
import { MESSAGING_SYSTEM, SPAN_ATTRIBUTES as A, spanName } from '../tracing.js';
import type { JobContext, JobHandler, QueueDefinition } from '../types.js';
import { describeError, formatAttemptLine } from './attempt-log.js';
import { schedulerIdOf } from './dead-entry.js';
import type { InFlight } from './in-flight.js';
import { parsePayload } from './payload.js';
import type { SecretFields } from './secret-fields.js';
import { withTimeout } from './timeout.js';
import { extractJobContext, remoteSpanContext } from './trace-context.js';

export interface ProcessorArgs {
  definition: QueueDefinition;
  handlers: Record<string, JobHandler<unknown>>;
  /** Opens the secret fields of a job's data for its handler (the stored data stays sealed). */
  secrets: SecretFields;
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
  const { definition, tracer, metrics, inFlight, abandon, logger } = args;
  const queue = definition.name;
  const processName = spanName('process', queue);
  // Metric series per job name, bound once.
  const series = new Map<string, JobSeries>();
  const seriesOf = (jobName: string): JobSeries | undefined => {
    if (!metrics) return undefined;
    let found = series.get(jobName);
    if (!found) {
      found = metrics.jobSeries(queue, definition.jobs[jobName] ? jobName : 'unknown');
      if (definition.jobs[jobName]) series.set(jobName, found);
    }
    return found;
  };

  // Two parameters only: BullMQ then creates no AbortController per job (it would abort
  // it only through cancelJob/cancelAllJobs, which nothing calls). The handler's signal
  // follows the worker's `abandon` signal, aborted at the shutdown deadline.
  return (job: Job, _token?: string): Promise<void> => {
    const started = performance.now();
    const jobName = job.name;
    const jobSeries = seriesOf(jobName);
    const attempt = job.attemptsMade + 1;
    const scheduleId = schedulerIdOf(job);
    const producer = extractJobContext(job.opts.telemetry?.metadata);
    // A scheduled job starts its own trace (the schedule would otherwise be one endless trace).
    const parent = scheduleId ? ROOT_CONTEXT : producer;
    const link = scheduleId ? remoteSpanContext(producer) : undefined;
    const id = String(job.id);
    const attributes: Attributes = {
      [A.system]: MESSAGING_SYSTEM,
      [A.destination]: queue,
      [A.operationType]: 'process',
      [A.operationName]: 'process',
      [A.messageId]: id,
      [A.jobName]: jobName,
      [A.attempt]: attempt,
    };
    if (scheduleId) attributes[A.scheduleId] = scheduleId;
    const span = tracer.startSpan(
      processName,
      link
        ? { kind: SpanKind.CONSUMER, links: [{ context: link }], attributes }
        : { kind: SpanKind.CONSUMER, attributes },
      parent,
    );
    return context.with(
      trace.setSpan(parent, span),
      run,
      undefined,
      job,
      jobName,
      id,
      attempt,
      scheduleId,
      jobSeries,
      span,
      started,
    );
  };

  async function run(
    job: Job,
    jobName: string,
    id: string,
    attempt: number,
    scheduleId: string | undefined,
    jobSeries: JobSeries | undefined,
    span: Span,
    started: number,
  ): Promise<void> {
    const startedAt = Date.now();
    if (jobSeries && job.attemptsStarted <= 1 && job.processedOn) {
      const readyAt = job.timestamp + (job.delay ?? 0);
      jobSeries.waitTime.observe(Math.max(0, job.processedOn - readyAt) / 1000);
    }
    const release = inFlight.add();
    let jobContext: Context | undefined;
    try {
      const handler = args.handlers[jobName];
      const schema = definition.jobs[jobName]?.schema;
      if (!handler || !schema)
        throw new UnrecoverableError(`queue "${queue}" has no handler for job "${jobName}"`);
      const payload = parseOrGiveUp(queue, jobName, schema, openOrGiveUp(args.secrets, jobName, job.data));
      jobContext = new Context(
        queue,
        jobName,
        id,
        attempt,
        job.opts.attempts ?? 1,
        new Date(job.timestamp),
        scheduleId,
        abandon,
        logger,
      );
      await handler(payload, jobContext);
      jobSeries?.processedOk.observe(seconds(started), exemplarOf(span));
    } catch (error) {
      // Given up at shutdown: not a failed attempt (another worker takes the job over).
      if (!abandon.aborted) {
        jobSeries?.processedFailed.observe(seconds(started), exemplarOf(span));
        await recordAttempt(job, attempt, new Date(startedAt), error);
      }
      const { name } = describeError(error);
      span.recordException(error instanceof Error ? error : { name, message: String(error) });
      span.setStatus({ code: SpanStatusCode.ERROR, message: name });
      throw error;
    } finally {
      jobContext?.end();
      span.end();
      release();
    }
  }
}

/**
 * A handler's JobContext. The job's child logger is built on first use only (a
 * getter on the prototype: a spread copy of the context has no `logger`).
 */
class Context implements JobContext {
  private child: Logger | undefined;
  private controller: AbortController | undefined;
  private onAbandon: (() => void) | undefined;

  constructor(
    readonly queue: string,
    readonly name: string,
    readonly id: string,
    readonly attempt: number,
    readonly maxAttempts: number,
    readonly enqueuedAt: Date,
    readonly scheduleId: string | undefined,
    private readonly abandon: AbortSignal,
    private readonly parentLogger: Logger,
  ) {}

  /**
   * The job's own signal, made on first read (most handlers never read it) and
   * aborted with the worker's `abandon` signal. Its own, not `abandon` itself: a
   * handler's listeners then go with the job instead of piling up on the worker.
   */
  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController();
      this.controller = controller;
      if (this.abandon.aborted) controller.abort(this.abandon.reason);
      else {
        this.onAbandon = () => controller.abort(this.abandon.reason);
        this.abandon.addEventListener('abort', this.onAbandon, { once: true });
      }
    }
    return this.controller.signal;
  }

  /** The attempt is over: stop listening to `abandon`. */
  end(): void {
    if (this.onAbandon) this.abandon.removeEventListener('abort', this.onAbandon);
  }

  get logger(): Logger {
    this.child ??= childLogger(this.parentLogger, {
      queue: this.queue,
      job: this.name,
      jobId: this.id,
      attempt: this.attempt,
    });
    return this.child;
  }
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

/** A secret field that does not open (another key, altered, not sealed) fails the same way every time. */
function openOrGiveUp(secrets: SecretFields, jobName: string, data: unknown): unknown {
  try {
    return secrets.open(jobName, data);
  } catch (error) {
    if (error instanceof QueueSealingError) throw new UnrecoverableError(error.message);
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
