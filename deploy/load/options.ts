// Command-line options of `pnpm load`, parsed without a dependency; bad input is a LoadUsageError.

export interface LoadOptions {
  /** Base URL of the api. */
  url: string;
  /** How long to run, in seconds. */
  durationSeconds: number;
  /** Requests started per second (open loop: the schedule does not wait for slow answers). */
  rate: number;
  /** Requests in flight at most; a request whose turn comes while all are busy is counted as skipped. */
  concurrency: number;
  /** Accounts signed up before the run starts (they sign in, create organizations, refer). */
  users: number;
  /** Seconds between progress lines (0: none). */
  progressSeconds: number;
  /** Per-request timeout, ms. */
  timeoutMs: number;
}

export const DEFAULT_LOAD_OPTIONS: LoadOptions = {
  url: 'http://localhost:3000',
  durationSeconds: 30,
  rate: 50,
  concurrency: 20,
  users: 20,
  progressSeconds: 5,
  timeoutMs: 10_000,
};

export class LoadUsageError extends Error {
  override readonly name = 'LoadUsageError';
}

export const LOAD_USAGE = `Usage: npm run load -- [options]   (or: pnpm load [options])

Drives a realistic traffic mix (sign-ups, sign-ins, reads, writes, referrals, mail) against a running api.

  --url <url>            the api (default ${DEFAULT_LOAD_OPTIONS.url})
  --duration <seconds>   how long to run (default ${DEFAULT_LOAD_OPTIONS.durationSeconds})
  --rate <n>             requests started per second (default ${DEFAULT_LOAD_OPTIONS.rate})
  --concurrency <n>      requests in flight at most (default ${DEFAULT_LOAD_OPTIONS.concurrency})
  --users <n>            accounts signed up before the run (default ${DEFAULT_LOAD_OPTIONS.users})
  --progress <seconds>   seconds between progress lines, 0 for none (default ${DEFAULT_LOAD_OPTIONS.progressSeconds})
  --timeout <ms>         per-request timeout (default ${DEFAULT_LOAD_OPTIONS.timeoutMs})
  --help                 this text

The api's default rate limits (RATE_LIMIT_GLOBAL=100/15m per address, ...) refuse most of a run
from one address; start the api with higher limits for a load test (see deploy/README.md).`;

const NUMERIC: Record<string, { key: keyof LoadOptions; min: number; max: number; integer: boolean }> = {
  '--duration': { key: 'durationSeconds', min: 0.1, max: 86_400, integer: false },
  '--rate': { key: 'rate', min: 0.1, max: 100_000, integer: false },
  '--concurrency': { key: 'concurrency', min: 1, max: 10_000, integer: true },
  '--users': { key: 'users', min: 2, max: 10_000, integer: true },
  '--progress': { key: 'progressSeconds', min: 0, max: 86_400, integer: false },
  '--timeout': { key: 'timeoutMs', min: 1, max: 600_000, integer: true },
};

/** Parses `--name value` and `--name=value`; `undefined` means help was asked for. */
export function parseLoadArgs(argv: readonly string[]): LoadOptions | undefined {
  const options: LoadOptions = { ...DEFAULT_LOAD_OPTIONS };
  const args = [...argv];
  while (args.length > 0) {
    let arg = args.shift()!;
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') return undefined;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg !== '--url' && !(arg in NUMERIC))
      throw new LoadUsageError(`unknown option ${JSON.stringify(arg)} (see --help)`);
    value ??= args.shift();
    if (value === undefined || value === '') throw new LoadUsageError(`${arg} needs a value`);
    if (arg === '--url') {
      options.url = parseUrl(value);
      continue;
    }
    const spec = NUMERIC[arg]!;
    const number = Number(value);
    if (!Number.isFinite(number) || (spec.integer && !Number.isInteger(number)))
      throw new LoadUsageError(
        `${arg} must be ${spec.integer ? 'a whole number' : 'a number'}, not ${value}`,
      );
    if (number < spec.min || number > spec.max)
      throw new LoadUsageError(`${arg} must be between ${spec.min} and ${spec.max}, not ${value}`);
    (options[spec.key] as number) = number;
  }
  return options;
}

function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new LoadUsageError(
      `--url must be an absolute http(s) URL such as http://localhost:3000, not ${value}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new LoadUsageError(`--url must be http:// or https://, not ${url.protocol}`);
  return url.toString().replace(/\/+$/, '');
}
