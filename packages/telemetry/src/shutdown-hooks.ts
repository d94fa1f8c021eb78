// Flushes spans when the process ends, without taking over the app's own shutdown.
// A signal listener disables Node's default "exit on SIGTERM", so ours only acts for
// an app that installed none: it flushes, then re-raises the signal so the process
// ends exactly as it would have without us. Apps with their own handlers call
// `shutdownTelemetry()` at the end of their shutdown instead.
import type { TelemetryHandle } from './types.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Longest wait for the final export before the signal is re-raised anyway. */
const FLUSH_LIMIT_MS = 5_000;

export function installShutdownHooks(
  handle: Pick<TelemetryHandle, 'sdk' | 'shutdown'>,
  proc: NodeJS.Process = process,
): void {
  // The event loop drained on its own (servers and clients closed): export what is left.
  proc.once('beforeExit', () => void handle.shutdown());

  for (const signal of SIGNALS) {
    const onSignal = () => {
      // Another listener means the app handles this signal and will call shutdownTelemetry().
      if (proc.listenerCount(signal) > 1) return;
      proc.removeListener(signal, onSignal);
      void withLimit(handle.shutdown(), FLUSH_LIMIT_MS).then(() => proc.kill(proc.pid, signal));
    };
    proc.on(signal, onSignal);
  }
}

function withLimit(work: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    work.then(done, done);
  });
}
