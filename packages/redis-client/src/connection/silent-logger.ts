import type { Logger } from '../types.js';

const noop = (): void => undefined;

/** Used when no logger is injected (e.g. the doctor CLI, which reports on its own). */
export function silentLogger(): Logger {
  return { debug: noop, info: noop, warn: noop, error: noop };
}
