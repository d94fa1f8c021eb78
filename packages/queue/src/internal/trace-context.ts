import {
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

// The carrier travels in the job's `opts.telemetry.metadata` (BullMQ's own field for
// it, also what bullmq-otel writes): a JSON object of propagation headers.
const MAX_METADATA_CHARS = 4096;

/**
 * The context to hand to the job: whatever the app's propagators write (W3C
 * traceparent and baggage with the OTel SDK), plus a `traceparent` of our own
 * when no propagator is registered, so a trace still continues in the worker.
 */
export function injectJobContext(context: Context): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context, carrier);
  const headers = countKeys(carrier);
  if (carrier.traceparent !== undefined)
    return headers === 1 ? traceparentOnly(carrier.traceparent) : JSON.stringify(carrier);
  const span = trace.getSpanContext(context);
  if (span && isSpanContextValid(span)) {
    // No propagator wrote one (none registered): ours, so the trace still continues in the worker.
    if (headers === 0) return traceparentOnly(formatTraceparent(span));
    carrier.traceparent = formatTraceparent(span);
    return JSON.stringify(carrier);
  }
  return headers > 0 ? JSON.stringify(carrier) : undefined;
}

// Characters JSON writes as they are: a W3C traceparent (hex digits and dashes) is made of them.
const JSON_SAFE = /^[\w.-]*$/;

/** `JSON.stringify({ traceparent })`, the common case, without building the object or escaping. */
function traceparentOnly(traceparent: string): string {
  return JSON_SAFE.test(traceparent)
    ? '{"traceparent":"' + traceparent + '"}'
    : `{"traceparent":${JSON.stringify(traceparent)}}`;
}

// `{"traceparent":"00-<trace id>-<span id>-<flags>"}`: what a job carries when nothing but the
// W3C header travels (no tracestate, no baggage), the common case.
const TRACEPARENT_ONLY_START = '{"traceparent":"';
const TRACEPARENT_ONLY_LENGTH = TRACEPARENT_ONLY_START.length + 55 + 2;

/** The producer's context from the job's metadata, over ROOT (never the worker loop's ambient context). */
export function extractJobContext(metadata: string | undefined): Context {
  if (
    metadata?.length === TRACEPARENT_ONLY_LENGTH &&
    metadata.startsWith(TRACEPARENT_ONLY_START) &&
    metadata.endsWith('"}')
  ) {
    // Read directly: what the W3C propagator would extract from it, without a JSON parse per job.
    const span = parseTraceparent(metadata.slice(TRACEPARENT_ONLY_START.length, -2));
    if (span) return trace.setSpanContext(ROOT_CONTEXT, span);
  }
  const carrier = parseCarrier(metadata);
  if (!carrier) return ROOT_CONTEXT;
  const extracted = propagation.extract(ROOT_CONTEXT, carrier);
  if (remoteSpanContext(extracted)) return extracted;
  const fallback = carrier.traceparent ? parseTraceparent(carrier.traceparent) : undefined;
  return fallback ? trace.setSpanContext(extracted, fallback) : extracted;
}

export function remoteSpanContext(context: Context): SpanContext | undefined {
  const span = trace.getSpanContext(context);
  return span && isSpanContextValid(span) ? span : undefined;
}

function parseCarrier(metadata: string | undefined): Record<string, string> | undefined {
  if (!metadata || metadata.length > MAX_METADATA_CHARS) return undefined;
  try {
    const parsed: unknown = JSON.parse(metadata);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const carrier: Record<string, string> = {};
    const record = parsed as Record<string, unknown>;
    for (const key in record) {
      const value = record[key];
      if (typeof value === 'string' && Object.hasOwn(record, key)) carrier[key] = value;
    }
    return carrier;
  } catch {
    return undefined;
  }
}

function countKeys(object: Record<string, string>): number {
  let count = 0;
  for (const key in object) if (Object.hasOwn(object, key)) count++;
  return count;
}
