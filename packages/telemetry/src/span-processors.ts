// Chooses where spans go from the standard OTEL_* variables. Done here rather than
// left to NodeSDK because NodeSDK reads `process.env` directly, and the package must
// be configurable from an explicit environment (tests, embedding).
import { diag } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type BufferConfig,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TelemetryEnv } from './types.js';

/** Where spans go, decided from the OTEL_* variables: the processors, and a sentence saying so. */
export interface TraceExport {
  processors: SpanProcessor[];
  /** One line for the app's start-up log: where traces go, or how to turn export on. */
  summary: string;
}

/** The OTLP exporter's own default traces URL. */
const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';

/** Told at start-up when nothing asked for export, so a newcomer knows how to see traces. */
export const TRACES_OFF_HINT =
  'traces are not exported (no OTEL_EXPORTER_OTLP_ENDPOINT): set it to an OTLP/HTTP collector ' +
  '(e.g. http://localhost:4318), or OTEL_TRACES_EXPORTER=console to print spans';

/**
 * `OTEL_TRACES_EXPORTER` (comma list of `otlp`, `console`, `none`). When neither it nor an
 * OTLP endpoint is set, nothing is exported: the SDK still runs (trace ids in the logs), but
 * a development machine without a collector does not spend its shutdown retrying
 * localhost:4318. Setting an endpoint alone means `otlp`, as the standard default says.
 */
export function traceExportFromEnv(env: TelemetryEnv): TraceExport {
  const names = listOf(env.OTEL_TRACES_EXPORTER);
  if (names.length === 0) {
    if (tracesUrl(env) === undefined) return exportNothing(TRACES_OFF_HINT);
    names.push('otlp');
  }
  if (names.includes('none')) return exportNothing('traces are not exported (OTEL_TRACES_EXPORTER=none)');

  const processors: SpanProcessor[] = [];
  const destinations: string[] = [];
  for (const name of new Set(names)) {
    if (name === 'otlp') {
      processors.push(batchProcessor(otlpExporterFromEnv(env), env));
      destinations.push(`over OTLP/HTTP to ${tracesUrl(env) ?? DEFAULT_OTLP_TRACES_URL}`);
    } else if (name === 'console') {
      // Console output is for local debugging; exporting each span at once keeps it readable.
      processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
      destinations.push('to the console');
    } else
      diag.warn(`OTEL_TRACES_EXPORTER value "${name}" is not supported here; use otlp, console or none.`);
  }
  if (processors.length === 0) return exportNothing('traces are not exported');
  return { processors, summary: `traces are exported ${destinations.join(' and ')}` };
}

/**
 * A processor that drops every span. NodeSDK registers no tracer provider at all without a
 * processor, and then spans have no ids: with this one, requests still get trace ids
 * (in the logs, the metrics' exemplars and the traceparent sent on) though nothing leaves.
 */
function exportNothing(summary: string): TraceExport {
  return { processors: [new NoopSpanProcessor()], summary };
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
 * neither set means the exporter's default, http://localhost:4318/v1/traces
 * (reached only with an explicit OTEL_TRACES_EXPORTER=otlp).
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
