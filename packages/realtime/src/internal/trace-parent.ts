import { type Link, type SpanContext, trace, TraceFlags } from '@opentelemetry/api';

/** The W3C traceparent of the active span ('' when there is none), carried with each event. */
export function activeTraceParent(): string {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !trace.isSpanContextValid(context)) return '';
  return `00-${context.traceId}-${context.spanId}-0${context.traceFlags & TraceFlags.SAMPLED ? 1 : 0}`;
}

const TRACE_PARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A link to the publisher's span, so one trace view leads from the publish to each delivery. */
export function linkTo(traceParent: string): Link[] {
  const match = TRACE_PARENT.exec(traceParent);
  if (!match) return [];
  const context: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
  };
  return trace.isSpanContextValid(context) ? [{ context }] : [];
}
