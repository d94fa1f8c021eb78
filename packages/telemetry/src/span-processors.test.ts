import { BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { spanProcessorsFromEnv, tracesUrl } from './span-processors.js';
import { resourceAttributesFromEnv, startTelemetry } from './start-telemetry.js';

describe('spanProcessorsFromEnv', () => {
  it('exports OTLP by default, honours none and console', async () => {
    const otlp = spanProcessorsFromEnv({});
    expect(otlp).toHaveLength(1);
    expect(otlp[0]).toBeInstanceOf(BatchSpanProcessor);
    expect(spanProcessorsFromEnv({ OTEL_TRACES_EXPORTER: 'none' })).toEqual([]);
    expect(spanProcessorsFromEnv({ OTEL_TRACES_EXPORTER: 'otlp,none' })).toEqual([]);
    const console = spanProcessorsFromEnv({ OTEL_TRACES_EXPORTER: ' Console ' });
    expect(console).toHaveLength(1);
    expect(console[0]).toBeInstanceOf(SimpleSpanProcessor);
    await Promise.all([...otlp, ...console].map((processor) => processor.shutdown()));
  });

  it('builds the traces URL the way the OTLP spec says', () => {
    expect(tracesUrl({})).toBeUndefined();
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracesUrl({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom',
      }),
    ).toBe('http://b:4318/custom');
  });
});

describe('startTelemetry', () => {
  it('starts nothing when OTEL_SDK_DISABLED=true', async () => {
    const handle = startTelemetry({ serviceName: 'x', env: { OTEL_SDK_DISABLED: 'true' } });
    expect(handle.sdk).toBeUndefined();
    await expect(handle.shutdown()).resolves.toBeUndefined();
  });

  it('parses OTEL_RESOURCE_ATTRIBUTES', () => {
    expect(
      resourceAttributesFromEnv({
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod, team=a%2Cb,broken',
      }),
    ).toEqual({
      'deployment.environment.name': 'prod',
      team: 'a,b',
    });
  });
});
