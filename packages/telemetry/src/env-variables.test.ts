import { describe, expect, it } from 'vitest';
import { telemetryEnvVariables } from './env-variables.js';
import { traceExportFromEnv } from './span-processors.js';
import { resourceAttributesFromEnv, startTelemetry } from './start-telemetry.js';

/** An environment that records which variables are read, answering `values` for some. */
function recordingEnv(values: Record<string, string>) {
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, name) => {
      if (typeof name !== 'string') return undefined;
      read.add(name);
      return values[name];
    },
  });
  return { env, read };
}

describe('telemetryEnvVariables', () => {
  it('lists every OTEL_* variable the package reads (OTEL_SERVICE_NAME is in the apps’ schemas)', async () => {
    const exporters = recordingEnv({ OTEL_TRACES_EXPORTER: 'otlp,console' });
    for (const processor of traceExportFromEnv(exporters.env).processors) await processor.shutdown();
    const resource = recordingEnv({});
    resourceAttributesFromEnv(resource.env);
    const disabled = recordingEnv({ OTEL_SDK_DISABLED: 'true' });
    await startTelemetry({ serviceName: 'test', env: disabled.env }).shutdown();

    const read = [...exporters.read, ...resource.read, ...disabled.read].filter(
      (name) => name.startsWith('OTEL_') && name !== 'OTEL_SERVICE_NAME',
    );
    expect(read.length).toBeGreaterThan(5);
    const listed = telemetryEnvVariables.map((variable) => variable.name);
    expect(read.filter((name) => !listed.includes(name))).toEqual([]);
  });
});
