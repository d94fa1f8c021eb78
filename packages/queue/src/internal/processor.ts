import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import type { Logger } from '@rnh/redis-client';
import { UnrecoverableError, type Job } from 'bullmq';
import type { z } from 'zod';
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

/** What every job of one type shares, built once per worker. */
interface ProcessType {
  readonly name: string;
  readonly handler: JobHandler<unknown> | undefined;
  readonly schema: z.ZodType | undefined;
  readonly hasSecrets: boolean;
  readonly series: JobSeries | undefined;
  /** The `process` span's kind and the attributes every attempt of this type has (the SDK copies them). */
  readonly spanOptions: SpanOptions;
}

/**
 * The function BullMQ runs for each attempt: one CONSUMER span per attempt (a
 * child of the enqueue span, or a new trace linked to the schedule for scheduled
 * jobs), payload validation (an invalid payload is not retried), metrics, and a
 * record of each failed attempt in the job's log.
 */
export function createProcessor(args: ProcessorArgs) {
  const { definition, tracer, inFlight, abandon } = args;
  const queue = definition.name;
  const processName = spanName('process', queue);
  const typeOf = processTypes(args);

  // Two parameters only: BullMQ then creates no AbortController per job (it would abort
  // it only through cancelJob/cancelAllJobs, which nothing calls). The handler's signal
  // follows the worker's `abandon` signal, aborted at the shutdown deadline.
  return (job: Job, _token?: string): Promise<void> => {
    const started = performance.now();
    const type = typeOf(job.name);
    const id = String(job.id);
    const attempt = job.attemptsMade + 1;
    const scheduleId = schedulerIdOf(job);
    const metadata = job.opts.telemetry?.metadata;
    const producer = metadata === undefined ? ROOT_CONTEXT : extractJobContext(metadata);
    // A scheduled job starts its own trace (the schedule would otherwise be one endless trace).
    const parent = scheduleId ? ROOT_CONTEXT : producer;
    const link = scheduleId ? remoteSpanContext(producer) : undefined;
    const span = tracer.startSpan(
      processName,
      link ? { ...type.spanOptions, links: [{ context: link }] } : type.spanOptions,
      parent,
    );
    if (span.isRecording()) {
      span.setAttribute(A.messageId, id);
      span.setAttribute(A.attempt, attempt);
      if (scheduleId) span.setAttribute(A.scheduleId, scheduleId);
    } else if (
      parent === ROOT_CONTEXT &&
      !isSpanContextValid(span.spanContext()) &&
      context.active() === ROOT_CONTEXT
    ) {
      // No SDK and no trace around: making a context active would change nothing.
      return run(job, type, id, attempt, scheduleId, span, started);
    }
    return context.with(
      trace.setSpan(parent, span),
      run,
      undefined,
      job,
      type,
      id,
      attempt,
      scheduleId,
      span,
      started,
    );
  };

  async function run(
    job: Job,
    type: ProcessType,
    id: string,
    attempt: number,
    scheduleId: string | undefined,
    span: Span,
    started: number,
  ): Promise<void> {
    const series = type.series;
    if (series && job.attemptsStarted <= 1 && job.processedOn) {
      const readyAt = job.timestamp + (job.delay ?? 0);
      series.waitTime.observe(Math.max(0, job.processedOn - readyAt) / 1000);
    }
    inFlight.enter();
    let jobContext: Context | undefined;
    try {
      const { handler, schema } = type;
      if (!handler || !schema)
        throw new UnrecoverableError(`queue "${queue}" has no handler for job "${type.name}"`);
      const data = type.hasSecrets ? openOrGiveUp(args.secrets, type.name, job.data) : job.data;
      const payload = parseOrGiveUp(queue, type.name, schema, data);
      jobContext = new Context(
        queue,
        type.name,
        id,
        attempt,
        job.opts.attempts ?? 1,
        new Date(job.timestamp),
        scheduleId,
        abandon,
        args.logger,
      );
      await handler(payload, jobContext);
      series?.processedOk.observe(seconds(started), exemplarOf(span));
    } catch (error) {
      // Given up at shutdown: not a failed attempt (another worker takes the job over).
      if (!abandon.aborted) {
        series?.processedFailed.observe(seconds(started), exemplarOf(span));
        // When the attempt started, on the wall clock (read only when it failed).
        const startedAt = new Date(Date.now() - (performance.now() - started));
        await recordAttempt(job, attempt, startedAt, error);
      }
      const { name } = describeError(error);
      span.recordException(error instanceof Error ? error : { name, message: String(error) });
      span.setStatus({ code: SpanStatusCode.ERROR, message: name });
      throw error;
    } finally {
      jobContext?.end();
      span.end();
      inFlight.leave();
    }
  }
}

/** The job types of the queue, each built once; a job of a type the queue does not declare gets one of its own. */
function processTypes(args: ProcessorArgs): (jobName: string) => ProcessType {
  const { definition, metrics } = args;
  const typeFor = (name: string, known: boolean): ProcessType => {
    const job = known ? definition.jobs[name] : undefined;
    const attributes: Attributes = {
      [A.system]: MESSAGING_SYSTEM,
      [A.destination]: definition.name,
      [A.operationType]: 'process',
      [A.operationName]: 'process',
      [A.jobName]: name,
    };
    return {
      name,
      handler: known ? args.handlers[name] : undefined,
      schema: job?.schema,
      hasSecrets: (job?.secret?.length ?? 0) > 0,
      series: metrics?.jobSeries(definition.name, known ? name : 'unknown'),
      spanOptions: { kind: SpanKind.CONSUMER, attributes },
    };
  };
  const types = new Map<string, ProcessType>();
  for (const name of Object.keys(definition.jobs)) types.set(name, typeFor(name, true));
  // Not kept: job names the queue does not declare are unbounded.
  return (jobName) => types.get(jobName) ?? typeFor(jobName, false);
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

function parseOrGiveUp(queue: string, jobName: string, schema: z.ZodType, data: unknown) {
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
