// The variables to document, grouped as a reader looks for them: what both apps share, what each
// app alone reads, then Redis and tracing (both apps). Everything comes from the code that reads them.
import { configSchema as apiSchema } from '@rnh/api/config';
import { envVariables, type EnvVariable } from '@rnh/config';
import { redisEnvVariables } from '@rnh/redis-client';
import { telemetryEnvVariables } from '@rnh/telemetry';
import { configSchema as workerSchema } from '@rnh/worker/config';

export interface Section {
  title: string;
  variables: readonly EnvVariable[];
}

export function configSections(): Section[] {
  const api = envVariables(apiSchema);
  const worker = envVariables(workerSchema);
  // Shared: read by both apps with the same default and meaning (OTEL_SERVICE_NAME differs, so it is not).
  const shared = api.filter((variable) => worker.some((other) => sameVariable(variable, other)));
  const isShared = (variable: EnvVariable) => shared.some((other) => other.name === variable.name);
  return [
    { title: 'Both apps', variables: shared },
    { title: 'api (apps/api)', variables: api.filter((variable) => !isShared(variable)) },
    { title: 'worker (apps/worker)', variables: worker.filter((variable) => !isShared(variable)) },
    { title: 'Redis (both apps)', variables: redisEnvVariables },
    { title: 'Tracing: OpenTelemetry (both apps)', variables: telemetryEnvVariables },
  ];
}

function sameVariable(a: EnvVariable, b: EnvVariable): boolean {
  return (
    a.name === b.name &&
    a.default === b.default &&
    a.defaultNote === b.defaultNote &&
    a.description === b.description &&
    a.production === b.production
  );
}
