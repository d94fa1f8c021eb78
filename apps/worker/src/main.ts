// Entry point: `node --import @rnh/telemetry/instrumentation dist/main.js`.
import { MailError } from '@rnh/mail';
import { RedisAuthError } from '@rnh/redis-client';
import { logTracesSummary, shutdownTelemetry } from '@rnh/telemetry';
import { ConfigError, loadConfig } from './config.js';
import { startWorker } from './worker.js';

async function main(): Promise<void> {
  const worker = await startWorker(loadConfig());
  logTracesSummary(worker.container.logger);
  // One shutdown, however many signals arrive: Ctrl-C under a watcher or a task runner
  // reaches the app both from the terminal and relayed by its parent.
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    worker.container.logger.info({ signal }, 'worker shutting down');
    void worker
      .stop()
      .then(() => shutdownTelemetry())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        worker.container.logger.error({ err: error }, 'worker shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  // Configuration mistakes are the user's to fix: say what is wrong, no stack trace.
  process.stderr.write(
    isStartupMistake(error)
      ? `${error.message}\n`
      : `worker failed to start: ${String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(isStartupMistake(error) ? 2 : 1);
});

/** Errors the operator fixes in configuration or environment: their message says all. */
function isStartupMistake(error: unknown): error is Error {
  return error instanceof ConfigError || error instanceof RedisAuthError || error instanceof MailError;
}
