// @rnh/telemetry: traces (OTel NodeSDK bootstrap), metrics (prom-client registry,
// /metrics handler, HTTP duration middleware) and logs (pino with trace ids).
export { startTelemetry } from './start-telemetry.js';
export { telemetryEnvVariables } from './env-variables.js';
export type { TelemetryEnvVariable } from './env-variables.js';
export { logTracesSummary, shutdownTelemetry } from './active-telemetry.js';
export { registerEsmHook } from './esm-hook.js';
export { ESM_INSTRUMENTED_MODULES, DEFAULT_IGNORED_INCOMING_PATHS } from './instrumentations.js';
export { redisStatementSerializer } from './redis-statement.js';
export { createMetricsRegistry, supportsExemplars } from './metrics-registry.js';
export { metricsHandler } from './metrics-handler.js';
export { httpMetricsMiddleware, HTTP_SERVER_DURATION } from './http-metrics.js';
export { activeTraceExemplar } from './trace-context.js';
export { createLogger } from './logger.js';
export type {
  CreateLoggerOptions,
  HttpMetricsMiddleware,
  HttpMetricsOptions,
  Logger,
  MetricsHandlerLogger,
  MetricsHandlerOptions,
  MetricsRegistryOptions,
  MetricsRequestHandler,
  RoutedRequest,
  StartTelemetryOptions,
  TelemetryEnv,
  TelemetryHandle,
  TraceExemplar,
} from './types.js';
