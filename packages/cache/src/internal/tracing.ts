import { trace, type Tracer, type TracerProvider } from '@opentelemetry/api';

export const TRACER_NAME = '@rnh/cache';

let provider: TracerProvider | undefined;
let tracer: Tracer | undefined;

/**
 * The cache's tracer, looked up again only when the global tracer provider is
 * replaced (`trace.disable()` and a new registration give a new provider object;
 * a provider registered after the first call is picked up by the API's proxy).
 */
export function cacheTracer(): Tracer {
  const current = trace.getTracerProvider();
  if (current !== provider || tracer === undefined) {
    provider = current;
    tracer = current.getTracer(TRACER_NAME);
  }
  return tracer;
}
