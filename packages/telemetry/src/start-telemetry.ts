// Builds and starts the OpenTelemetry NodeSDK for traces only: metrics are prom-client's
// job (scraped from /metrics), so no OTel metric reader or log exporter is configured.
import { diag } from '@opentelemetry/api';
import {
  defaultResource,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { createInstrumentations, DEFAULT_IGNORED_INCOMING_PATHS } from './instrumentations.js';
import { batchProcessor, traceExportFromEnv, type TraceExport } from './span-processors.js';
import type { StartTelemetryOptions, TelemetryEnv, TelemetryHandle } from './types.js';

/**
 * Starts tracing. Spans go to `options.spanProcessors` and/or `options.traceExporter`
 * when given (tests), otherwise to the exporters `OTEL_TRACES_EXPORTER` names (none when
 * neither it nor an OTLP endpoint is set; see `traceExportFromEnv`).
 * `OTEL_SDK_DISABLED=true` starts nothing and returns a no-op handle.
 */
export function startTelemetry(options: StartTelemetryOptions): TelemetryHandle {
  const env = options.env ?? {};
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    return {
      sdk: undefined,
      shutdown: () => Promise.resolve(),
      tracesSummary: 'tracing is off (OTEL_SDK_DISABLED=true)',
    };
  }

  const serviceName = env.OTEL_SERVICE_NAME?.trim() || options.serviceName;
  const traces = chooseTraceExport(options, env);
  const sdk = new NodeSDK({
    serviceName,
    resource: defaultResource().merge(
      resourceFromAttributes({
        ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
        ...resourceAttributesFromEnv(env),
        [ATTR_SERVICE_NAME]: serviceName,
      }),
    ),
    // The env detector would read process.env; OTEL_RESOURCE_ATTRIBUTES is parsed from `env` above.
    resourceDetectors: [processDetector, hostDetector],
    spanProcessors: traces.processors,
    // Explicitly empty: otherwise NodeSDK defaults both to OTLP exporters.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: createInstrumentations({
      ignoreIncomingPaths: options.ignoreIncomingPaths ?? DEFAULT_IGNORED_INCOMING_PATHS,
    }),
  });
  sdk.start();

  let stopping: Promise<void> | undefined;
  return {
    sdk,
    tracesSummary: traces.summary,
    shutdown() {
      stopping ??= sdk.shutdown().catch((error: unknown) => {
        // Losing the last spans must not fail the app's shutdown.
        diag.error('telemetry shutdown failed', error);
      });
      return stopping;
    },
  };
}

function chooseTraceExport(options: StartTelemetryOptions, env: TelemetryEnv): TraceExport {
  if (!options.spanProcessors && !options.traceExporter) return traceExportFromEnv(env);
  return {
    processors: [
      ...(options.spanProcessors ?? []),
      ...(options.traceExporter ? [batchProcessor(options.traceExporter, env)] : []),
    ],
    summary: 'traces go to the span processors and exporter the app passed',
  };
}

/** `OTEL_RESOURCE_ATTRIBUTES=key=value,key2=value2` (values percent-encoded), per the spec. */
export function resourceAttributesFromEnv(env: TelemetryEnv): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim();
    try {
      attributes[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      diag.warn(`OTEL_RESOURCE_ATTRIBUTES: cannot decode the value of "${key}"; ignored.`);
    }
  }
  return attributes;
}
