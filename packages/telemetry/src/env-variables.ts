// The OTEL_* variables the apps honour, with defaults and meanings: what docs/configuration.md and
// .env.example list for tracing. OTEL_SERVICE_NAME is in each app's config schema (its default
// differs per app). The preload passes process.env, so the SDK's own variables work as well.
export interface TelemetryEnvVariable {
  name: string;
  /** The default as a .env file would write it; undefined when there is none. */
  default?: string;
  /** A default that is not one literal value. */
  defaultNote?: string;
  /** One line of meaning. */
  description: string;
}

export const telemetryEnvVariables: readonly TelemetryEnvVariable[] = [
  { name: 'OTEL_SDK_DISABLED', default: 'false', description: '`true` turns tracing off entirely' },
  {
    name: 'OTEL_TRACES_EXPORTER',
    defaultNote: 'otlp when an OTLP endpoint is set, else none',
    description: 'where spans go: `otlp`, `console` or `none` (comma-separated for several)',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    description:
      'OTLP/HTTP collector such as `http://localhost:4318` (`/v1/traces` is appended); unset, nothing is exported',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    description: 'full traces URL, overrides `OTEL_EXPORTER_OTLP_ENDPOINT`',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    description: 'spans are sent as `http/json`; another value only logs a warning',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    description: 'as `OTEL_EXPORTER_OTLP_PROTOCOL`, for traces only',
  },
  {
    name: 'OTEL_RESOURCE_ATTRIBUTES',
    description: '`key=value,key2=value2` (values percent-encoded) added to the resource of every span',
  },
  {
    name: 'OTEL_TRACES_SAMPLER',
    defaultNote: 'parentbased_always_on',
    description: 'the SDK sampler, such as `parentbased_traceidratio`',
  },
  { name: 'OTEL_TRACES_SAMPLER_ARG', description: "the sampler's argument, such as `0.1` for a ratio" },
  {
    name: 'OTEL_BSP_SCHEDULE_DELAY',
    default: '5000',
    description: 'ms between two exports of the batch span processor',
  },
  { name: 'OTEL_BSP_EXPORT_TIMEOUT', default: '30000', description: 'ms one export may take' },
  {
    name: 'OTEL_BSP_MAX_QUEUE_SIZE',
    default: '2048',
    description: 'spans kept waiting at most; more are dropped',
  },
  { name: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', default: '512', description: 'spans sent in one export at most' },
];
