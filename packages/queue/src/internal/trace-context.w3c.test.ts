import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractJobContext, injectJobContext, remoteSpanContext } from './trace-context.js';

// The propagators NodeSDK registers by default.
const w3c = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

describe('job trace context with the W3C propagators registered', () => {
  beforeAll(() => propagation.setGlobalPropagator(w3c));
  afterAll(() => propagation.disable());

  const producer = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
  });

  it('reads a traceparent-only job as the propagator does', () => {
    const metadata = injectJobContext(producer)!;
    expect(JSON.parse(metadata)).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const viaPropagator = w3c.extract(ROOT_CONTEXT, JSON.parse(metadata), {
      get: (carrier: Record<string, string>, key) => carrier[key],
      keys: (carrier) => Object.keys(carrier),
    });
    expect(remoteSpanContext(extractJobContext(metadata))).toEqual(remoteSpanContext(viaPropagator));
    expect(remoteSpanContext(extractJobContext(metadata))?.isRemote).toBe(true);
  });

  it('keeps tracestate and baggage when they travel too', () => {
    const withState = trace.setSpanContext(ROOT_CONTEXT, {
      ...trace.getSpanContext(producer)!,
      traceState: w3cTraceState('vendor=value'),
    });
    const withBaggage = propagation.setBaggage(
      withState,
      propagation.createBaggage({ tenant: { value: 'acme' } }),
    );
    const extracted = extractJobContext(injectJobContext(withBaggage));
    expect(remoteSpanContext(extracted)?.traceState?.serialize()).toBe('vendor=value');
    expect(propagation.getBaggage(extracted)?.getEntry('tenant')?.value).toBe('acme');
  });

  it('reads a malformed traceparent as no context', () => {
    const bad = '{"traceparent":"00-00000000000000000000000000000000-00f067aa0ba902b7-01"}';
    expect(remoteSpanContext(extractJobContext(bad))).toBeUndefined();
  });
});

function w3cTraceState(value: string) {
  const carrier = {
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    tracestate: value,
  };
  const context = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, carrier, {
    get: (c: Record<string, string>, key) => c[key],
    keys: (c) => Object.keys(c),
  });
  return trace.getSpanContext(context)!.traceState!;
}
