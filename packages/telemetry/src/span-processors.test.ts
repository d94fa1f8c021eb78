import { isSpanContextValid, trace } from '@opentelemetry/api';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { TRACES_OFF_HINT, traceExportFromEnv, tracesUrl } from './span-processors.js';
import { resourceAttributesFromEnv, startTelemetry } from './start-telemetry.js';

describe('traceExportFromEnv', () => {
  it('exports nothing when neither an exporter nor an endpoint is set, and says how to turn it on', () => {
    const traces = traceExportFromEnv({});
    expect(traces.processors).toSatisfy(dropsEverySpan);
    expect(traces.summary).toContain('not exported');
    expect(traces.summary).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(traces.summary).toContain('OTEL_TRACES_EXPORTER=console');
    expect(traceExportFromEnv({ OTEL_TRACES_EXPORTER: ' ' }).processors).toSatisfy(dropsEverySpan);
  });

  it('exports OTLP when an endpoint is set, to that endpoint', async () => {
    for (const env of [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' },
    ]) {
      const traces = traceExportFromEnv(env);
      expect(traces.processors).toHaveLength(1);
      expect(traces.processors[0]).toBeInstanceOf(BatchSpanProcessor);
      expect(traces.summary).toBe('traces are exported over OTLP/HTTP to http://collector:4318/v1/traces');
      await Promise.all(traces.processors.map((processor) => processor.shutdown()));
    }
  });

  it('honours an explicit OTEL_TRACES_EXPORTER: otlp (to the default URL), console, none', async () => {
    const otlp = traceExportFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' });
    expect(otlp.processors).toHaveLength(1);
    expect(otlp.processors[0]).toBeInstanceOf(BatchSpanProcessor);
    expect(otlp.summary).toBe('traces are exported over OTLP/HTTP to http://localhost:4318/v1/traces');
    expect(traceExportFromEnv({ OTEL_TRACES_EXPORTER: 'none' }).processors).toSatisfy(dropsEverySpan);
    const none = traceExportFromEnv({
      OTEL_TRACES_EXPORTER: 'otlp,none',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(none.processors).toSatisfy(dropsEverySpan);
    expect(none.summary).toBe('traces are not exported (OTEL_TRACES_EXPORTER=none)');
    const console = traceExportFromEnv({ OTEL_TRACES_EXPORTER: ' Console ' });
    expect(console.processors).toHaveLength(1);
    expect(console.processors[0]).toBeInstanceOf(SimpleSpanProcessor);
    expect(console.summary).toBe('traces are exported to the console');
    await Promise.all([...otlp.processors, ...console.processors].map((processor) => processor.shutdown()));
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
    expect(handle.tracesSummary).toContain('OTEL_SDK_DISABLED');
    await expect(handle.shutdown()).resolves.toBeUndefined();
  });

  it('with nothing configured, still traces (ids for the logs) but exports nothing', async () => {
    const handle = startTelemetry({ serviceName: 'x', env: {} });
    expect(handle.sdk).toBeDefined();
    expect(handle.tracesSummary).toBe(TRACES_OFF_HINT);
    const span = trace.getTracer('test').startSpan('work');
    expect(span.isRecording()).toBe(true);
    expect(isSpanContextValid(span.spanContext())).toBe(true);
    span.end();
    await handle.shutdown();
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

/** Only processors that export nothing (NodeSDK needs one to give spans ids). */
function dropsEverySpan(processors: SpanProcessor[]): boolean {
  return processors.length > 0 && processors.every((processor) => processor instanceof NoopSpanProcessor);
}
