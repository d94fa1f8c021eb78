import { INVALID_SPANID, INVALID_TRACEID, type SpanContext } from '@opentelemetry/api';

// W3C Trace Context `traceparent`: version-traceid-parentid-flags.
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(?:-.*)?$/;

export function formatTraceparent(context: SpanContext): string {
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** The remote span context a `traceparent` names, or undefined when it is malformed. */
export function parseTraceparent(value: string): SpanContext | undefined {
  const trimmed = value.trim();
  if (!TRACEPARENT.test(trimmed)) return undefined;
  const version = trimmed.slice(0, 2);
  if (version === 'ff' || (version === '00' && trimmed.length !== 55)) return undefined;
  const context: SpanContext = {
    traceId: trimmed.slice(3, 35),
    spanId: trimmed.slice(36, 52),
    traceFlags: parseInt(trimmed.slice(53, 55), 16) & 0xff,
    isRemote: true,
  };
  // The pattern checked the hex digits already; all zeros is the one invalid value left.
  return context.traceId === INVALID_TRACEID || context.spanId === INVALID_SPANID ? undefined : context;
}
