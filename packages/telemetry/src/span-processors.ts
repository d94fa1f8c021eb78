// Chooses where spans go from the standard OTEL_* variables. Done here rather than
// left to NodeSDK because NodeSDK reads `process.env` directly, and the package must
// be configurable from an explicit environment (tests, embedding).
import { diag } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type BufferConfig,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TelemetryEnv } from './types.js';

/** Processors for `OTEL_TRACES_EXPORTER` (comma list of `otlp`, `console`, `none`; default `otlp`). */
export function spanProcessorsFromEnv(env: TelemetryEnv): SpanProcessor[] {
  const names = listOf(env.OTEL_TRACES_EXPORTER);
  if (names.length === 0) names.push('otlp');
  if (names.includes('none')) return [];

  const processors: SpanProcessor[] = [];
  for (const name of new Set(names)) {
    if (name === 'otlp') processors.push(batchProcessor(otlpExporterFromEnv(env), env));
    // Console output is for local debugging; exporting each span at once keeps it readable.
    else if (name === 'console') processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
    else diag.warn(`OTEL_TRACES_EXPORTER value "${name}" is not supported here; use otlp, console or none.`);
  }
  return processors;
}

/** A batch processor whose OTEL_BSP_* settings come from `env`, not from `process.env`. */
export function batchProcessor(exporter: SpanExporter, env: TelemetryEnv): SpanProcessor {
  const config: BufferConfig = {};
  const delay = numberOf(env.OTEL_BSP_SCHEDULE_DELAY);
  const timeout = numberOf(env.OTEL_BSP_EXPORT_TIMEOUT);
  const queue = numberOf(env.OTEL_BSP_MAX_QUEUE_SIZE);
  const batch = numberOf(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE);
  if (delay !== undefined) config.scheduledDelayMillis = delay;
  if (timeout !== undefined) config.exportTimeoutMillis = timeout;
  if (queue !== undefined) config.maxQueueSize = queue;
  if (batch !== undefined) config.maxExportBatchSize = batch;
  return new BatchSpanProcessor(exporter, config);
}

/**
 * OTLP over HTTP (JSON). `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used as is;
 * `OTEL_EXPORTER_OTLP_ENDPOINT` gets `/v1/traces` appended, as the spec says;
 * neither set means the exporter's default, http://localhost:4318/v1/traces.
 */
export function otlpExporterFromEnv(env: TelemetryEnv): OTLPTraceExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (protocol && protocol !== 'http/json' && protocol !== 'http/protobuf') {
    diag.warn(
      `OTLP protocol "${protocol}" is not bundled; sending http/json (the collector's :4318 accepts it).`,
    );
  }
  const url = tracesUrl(env);
  return new OTLPTraceExporter(url ? { url } : {});
}

export function tracesUrl(env: TelemetryEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) return `${base.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}
