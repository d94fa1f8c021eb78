// The tracing floor: raw BullMQ plus the least a traced queue must do per job, one span on
// each side and the trace context carried in the job. Whatever a wrapper costs beyond
// this row is the wrapper's own; what this row costs against raw BullMQ is tracing's.
import { context, ROOT_CONTEXT, SpanKind, trace, type Context, type SpanContext } from '@opentelemetry/api';
import type { Job, Queue } from 'bullmq';
import type { TrialContender } from '../lib/runner.js';
import { bullmqAdd, bullmqProcess, payload, type Setting } from './contenders.js';

const tracer = () => trace.getTracer('bench-floor');

/** `queue.add()` inside a PRODUCER span whose traceparent travels in the job (BullMQ's telemetry metadata). */
function tracedAdd(queue: Queue, index: number): Promise<unknown> {
  const span = tracer().startSpan('floor send', { kind: SpanKind.PRODUCER });
  const { traceId, spanId } = span.spanContext();
  const metadata = `{"traceparent":"00-${traceId}-${spanId}-01"}`;
  return queue.add('welcome', payload(index), { telemetry: { metadata } }).then(
    (job) => {
      span.end();
      return job;
    },
    (error: unknown) => {
      span.end();
      throw error;
    },
  );
}

/** The producer's span context from `{"traceparent":"00-<trace>-<span>-<flags>"}`, over ROOT. */
function parentOf(metadata: string | undefined): Context {
  if (!metadata || metadata.length !== 73) return ROOT_CONTEXT;
  const parent: SpanContext = {
    traceId: metadata.slice(19, 51),
    spanId: metadata.slice(52, 68),
    traceFlags: 1,
    isRemote: true,
  };
  return trace.setSpanContext(ROOT_CONTEXT, parent);
}

/** A CONSUMER span under the job's traceparent, active around the (no-op) handler. */
async function tracedProcessor(job: Job): Promise<void> {
  const parent = parentOf(job.opts.telemetry?.metadata);
  const span = tracer().startSpan('floor process', { kind: SpanKind.CONSUMER }, parent);
  try {
    await context.with(trace.setSpan(parent, span), () => undefined);
  } finally {
    span.end();
  }
}

export function floorAdd(setting: Setting): TrialContender {
  return bullmqAdd(setting, {
    id: 'add:floor',
    label: 'floor: Queue.add() + 1 span',
    role: 'info',
    queue: 'bench-add-floor',
    prefix: 'bench-floor',
    add: tracedAdd,
  });
}

export function floorProcess(setting: Setting): TrialContender {
  return bullmqProcess(setting, {
    id: 'process:floor',
    label: 'floor: Worker + 1 active span',
    role: 'info',
    queue: 'bench-process-floor',
    prefix: 'bench-floor',
    add: tracedAdd,
    processor: tracedProcessor,
  });
}
