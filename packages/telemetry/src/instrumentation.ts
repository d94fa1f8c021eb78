// Preload entry: `node --import @rnh/telemetry/instrumentation dist/main.js`.
// Runs before the app's first import: registers the ESM loader hook, then starts the
// SDK so http, express and ioredis are patched when the app imports them.
// This is the only module of the package that reads process.env.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setActiveTelemetry } from './active-telemetry.js';
import { registerEsmHook } from './esm-hook.js';
import { installShutdownHooks } from './shutdown-hooks.js';
import { startTelemetry } from './start-telemetry.js';

// Disabled: not even the loader hook, so the app runs exactly as without telemetry.
const disabled = process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';

if (!disabled && registerEsmHook()) {
  const app = readAppPackage(process.cwd());
  const handle = startTelemetry({
    serviceName: app.name ?? 'rnh-service',
    ...(app.version ? { serviceVersion: app.version } : {}),
    env: process.env,
  });
  setActiveTelemetry(handle);
  if (handle.sdk) installShutdownHooks(handle);
}

/**
 * Default service name and version: the started app's package.json (the apps run with
 * their own directory as cwd). `@rnh/api` becomes `rnh-api`, the name the app's logs carry
 * too; OTEL_SERVICE_NAME overrides.
 */
function readAppPackage(dir: string): { name?: string; version?: string } {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    const name = typeof pkg.name === 'string' ? pkg.name.replace(/^@([^/]+)\//, '$1-') : undefined;
    const version = typeof pkg.version === 'string' ? pkg.version : undefined;
    return { ...(name ? { name } : {}), ...(version ? { version } : {}) };
  } catch {
    return {};
  }
}
