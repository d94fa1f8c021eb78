// The one piece of module state in the package: the SDK the `instrumentation` entry
// started before the app loaded. It has to live in a module because the app cannot
// be handed a reference to something that ran before its own code (`node --import`).
import type { TelemetryHandle } from './types.js';

let active: TelemetryHandle | undefined;

/** Called by the instrumentation entry only. */
export function setActiveTelemetry(handle: TelemetryHandle): void {
  active = handle;
}

/**
 * Flushes and stops the SDK started by `--import @rnh/telemetry/instrumentation`.
 * Apps call it last in their shutdown (after servers and Redis are closed, so those
 * final spans are exported). Resolves at once when no SDK was started; never rejects.
 */
export function shutdownTelemetry(): Promise<void> {
  return active ? active.shutdown() : Promise.resolve();
}

/**
 * Logs in one line where the traces of the SDK started by the instrumentation entry go, or
 * how to turn export on; says nothing when the app runs without the entry. Apps call it once
 * they have started.
 */
export function logTracesSummary(logger: { info(message: string): void }): void {
  if (active) logger.info(active.tracesSummary);
}
