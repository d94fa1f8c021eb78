// Reads the active span's ids for log lines and metric exemplars. Only the OTel API is
// used, so this works whether or not an SDK was started (no SDK: nothing is active).
import { isSpanContextValid, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import type { TraceExemplar } from './types.js';

function activeSpanContext(): SpanContext | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context : undefined;
}

/**
 * `{ trace_id, span_id }` of the active span when it is sampled (an exemplar must point
 * at a trace the trace store actually has), else `undefined`. Pass it as a histogram's
 * `exemplarLabels`; an `undefined` there records no exemplar.
 */
export function activeTraceExemplar(): TraceExemplar | undefined {
  const context = activeSpanContext();
  if (!context || (context.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return { trace_id: context.traceId, span_id: context.spanId };
}

/** Fields stamped on every log line written while a span is active (sampled or not). */
export function traceLogFields():
  { trace_id: string; span_id: string; trace_flags: string } | Record<string, never> {
  const context = activeSpanContext();
  if (!context) return {};
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    trace_flags: `0${(context.traceFlags & 0xff).toString(16)}`.slice(-2),
  };
}
