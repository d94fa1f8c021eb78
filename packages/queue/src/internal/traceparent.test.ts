import { TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

describe('traceparent', () => {
  it('round-trips a span context', () => {
    const header = formatTraceparent({ traceId, spanId, traceFlags: TraceFlags.SAMPLED });
    expect(header).toBe(`00-${traceId}-${spanId}-01`);
    expect(parseTraceparent(header)).toEqual({ traceId, spanId, traceFlags: 1, isRemote: true });
  });

  it('rejects malformed or invalid headers', () => {
    for (const bad of [
      '',
      'garbage',
      `ff-${traceId}-${spanId}-01`,
      `00-${'0'.repeat(32)}-${spanId}-01`,
      `00-${traceId}-${'0'.repeat(16)}-01`,
      `00-${traceId.toUpperCase()}-${spanId}-01`,
      `00-${traceId}-${spanId}-01-extra`,
    ])
      expect(parseTraceparent(bad)).toBeUndefined();
  });

  it('accepts a future version with extra fields', () => {
    expect(parseTraceparent(`01-${traceId}-${spanId}-00-more`)).toMatchObject({
      traceId,
      spanId,
      traceFlags: 0,
    });
  });
});
