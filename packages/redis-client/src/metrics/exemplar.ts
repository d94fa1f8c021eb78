import { isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';

/** `{ trace_id, span_id }` of the active sampled span, for histogram exemplars; else undefined. */
export function activeSpanExemplar(): Record<string, string> | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context) || (context.traceFlags & TraceFlags.SAMPLED) === 0)
    return undefined;
  return { trace_id: context.traceId, span_id: context.spanId };
}
