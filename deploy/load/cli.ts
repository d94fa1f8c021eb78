// `npm run load` (or `pnpm load`): drives the traffic mix against a running api and prints progress and a summary.
// Exit codes: 0 done, 1 the api did not answer, 2 bad arguments.
import {
  formatProgress,
  formatSummary,
  LOAD_USAGE,
  LoadTargetError,
  LoadUsageError,
  parseLoadArgs,
  runLoad,
} from './index.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let options;
  try {
    options = parseLoadArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof LoadUsageError) {
      err(`load: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (!options) {
    out(LOAD_USAGE);
    return 0;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  out(
    `Load: ${options.url}, ${options.durationSeconds} s at ${options.rate} requests/s, ` +
      `${options.concurrency} in flight at most, ${options.users} accounts (Ctrl-C stops early)`,
  );
  try {
    const summary = await runLoad(options, {
      onProgress: (s) => out(formatProgress(s)),
      signal: controller.signal,
    });
    out('');
    out(formatSummary(summary));
    return 0;
  } catch (error) {
    if (error instanceof LoadTargetError) {
      err(`load: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    err(`load: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
