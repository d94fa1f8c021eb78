// Instrumentations patch modules as they load. CommonJS `require` is hooked in-process,
// but ESM `import` goes through Node's loader, so the OpenTelemetry loader hook
// (import-in-the-middle underneath) must be registered before the app's first import.
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { ESM_INSTRUMENTED_MODULES } from './instrumentations.js';

/**
 * Registers `@opentelemetry/instrumentation/hook.mjs` with `module.register` (the
 * replacement for `--experimental-loader` on Node >= 20.6). Only the instrumented
 * modules are intercepted. Call it from a module loaded with `node --import`.
 * Returns false (and does nothing) on worker threads: the preload runs there too,
 * and a second loader per thread only adds cost (the EDOT bootstrap does the same).
 */
export function registerEsmHook(modules: readonly string[] = ESM_INSTRUMENTED_MODULES): boolean {
  if (!isMainThread) return false;
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: [...modules] },
  });
  return true;
}
