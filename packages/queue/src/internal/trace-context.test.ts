import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { extractJobContext, injectJobContext, remoteSpanContext } from './trace-context.js';

// No propagator is registered in this file: the package's own traceparent carries the context.
const spanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
};

describe('job trace context', () => {
  it('carries the active span context through job metadata without a registered propagator', () => {
    const metadata = injectJobContext(trace.setSpanContext(ROOT_CONTEXT, spanContext));
    expect(JSON.parse(metadata!)).toEqual({
      traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-01`,
    });
    expect(remoteSpanContext(extractJobContext(metadata))).toEqual({ ...spanContext, isRemote: true });
  });

  it('writes nothing without a span, and reads junk as no context', () => {
    expect(injectJobContext(ROOT_CONTEXT)).toBeUndefined();
    for (const junk of [undefined, '', 'not json', '[1]', '{"traceparent":5}', 'x'.repeat(5000)])
      expect(remoteSpanContext(extractJobContext(junk))).toBeUndefined();
  });
});
