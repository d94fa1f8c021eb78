// Public types of @rnh/telemetry. Implementation modules import from here so the
// contract other packages code against lives in one file.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { DestinationStream, Logger as PinoLogger } from 'pino';

/** The pino logger every package receives by injection. */
export type Logger = PinoLogger;

/** Environment variables as `process.env` has them; only the instrumentation entry passes the real one. */
export type TelemetryEnv = Record<string, string | undefined>;

export interface StartTelemetryOptions {
  /** `service.name`; `OTEL_SERVICE_NAME` in `env` wins when set. */
  serviceName: string;
  /** `service.version` resource attribute. */
  serviceVersion?: string;
  /**
   * Span processors to use instead of the exporters chosen by `OTEL_TRACES_EXPORTER`
   * (tests pass `new SimpleSpanProcessor(new InMemorySpanExporter())`).
   */
  spanProcessors?: SpanProcessor[];
  /** An exporter to use (behind a batch processor) instead of the ones chosen by `OTEL_TRACES_EXPORTER`. */
  traceExporter?: SpanExporter;
  /** The `OTEL_*` variables to honour. Defaults to an empty environment (no export). */
  env?: TelemetryEnv;
  /** Request paths that produce no server span (probe and scrape noise). Default `['/metrics', '/health', '/ready']`. */
  ignoreIncomingPaths?: string[];
}

export interface TelemetryHandle {
  /** The started SDK, or `undefined` when `OTEL_SDK_DISABLED=true`. */
  sdk: NodeSDK | undefined;
  /** Flushes pending spans and stops the SDK. Idempotent; never rejects. */
  shutdown(): Promise<void>;
  /** One line saying where traces go (or how to turn export on), for the app's start-up log. */
  tracesSummary: string;
}

export interface MetricsRegistryOptions {
  /** Labels added to every series of this registry (e.g. `{ app: 'api' }`). */
  defaultLabels?: Record<string, string>;
  /** Collect prom-client's process/Node.js default metrics into the registry. Default `true`. */
  collectDefaultMetrics?: boolean;
  /** Name prefix for the default metrics only. */
  prefix?: string;
}

/** What `metricsHandler` needs to report a failed collection; a pino logger fits. */
export interface MetricsHandlerLogger {
  error(details: object, message: string): void;
}

export interface MetricsHandlerOptions {
  /** Where collection errors are logged; without it they go to the OpenTelemetry diag logger. */
  logger?: MetricsHandlerLogger;
}

/** A Node request handler that also works as an Express handler. */
export type MetricsRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface HttpMetricsOptions {
  /** Request paths (exact, without query) that are not measured. Default: none, everything is measured. */
  ignorePaths?: string[];
}

/**
 * The parts of an Express request the HTTP metrics read. Structural, so the package
 * never imports Express at runtime; an Express `Request` satisfies it.
 */
export interface RoutedRequest extends IncomingMessage {
  /** Set by Express on the matched route. */
  route?: { path?: unknown };
  /** Mount path of the router that matched. */
  baseUrl?: string;
  /** The URL before routers rewrote `url`. */
  originalUrl?: string;
}

/** An Express-compatible middleware built only on Node's types. */
export type HttpMetricsMiddleware = (
  req: RoutedRequest,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** Exemplar labels linking a metric sample to the trace it was measured in. */
export interface TraceExemplar {
  trace_id: string;
  span_id: string;
}

export interface CreateLoggerOptions {
  /** Logger name, printed as `name` on every line. */
  name: string;
  /** pino level; default `info`. */
  level?: string;
  /** Human-readable lines through `pino-pretty` when it is installed (development only). */
  pretty?: boolean;
  /** Where lines go; default stdout. Wins over `pretty`. */
  destination?: DestinationStream;
  /** Stack traces of logged errors; default `true`. Apps turn them off in production. */
  errorStacks?: boolean;
}
