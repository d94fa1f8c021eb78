// Benchmark settings from `--name=value` arguments, then BENCH_* environment variables, then defaults.

export interface BenchOptions {
  /** Measured time per contender per round. */
  durationMs: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Measured rounds; contenders run interleaved in each, the median is reported. */
  rounds: number;
  /** Unmeasured warm-up per contender before the first round. */
  warmupMs: number;
  /** Distinct keys each contender cycles through (all preloaded). */
  keys: number;
  /** Run only the contenders whose id contains one of these (comma-separated); all when empty. */
  only: string[];
}

/** A bad command line: the benchmark prints this one line and exits with code 2. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

/** One integer option: `--flag=N` or the environment variable `env`. */
export interface OptionSpec {
  flag: string;
  env: string;
  fallback: number;
  min: number;
  /** One line for `--help`. */
  help: string;
}

export type CommonNumberOption = Exclude<keyof BenchOptions, 'only'>;

const NUMBERS: Record<CommonNumberOption, OptionSpec> = {
  durationMs: {
    flag: 'duration',
    env: 'BENCH_DURATION_MS',
    fallback: 3000,
    min: 100,
    help: 'measured time per contender per round',
  },
  concurrency: {
    flag: 'concurrency',
    env: 'BENCH_CONCURRENCY',
    fallback: 64,
    min: 1,
    help: 'requests in flight',
  },
  rounds: {
    flag: 'rounds',
    env: 'BENCH_ROUNDS',
    fallback: 3,
    min: 1,
    help: 'interleaved rounds, median reported',
  },
  warmupMs: { flag: 'warmup', env: 'BENCH_WARMUP_MS', fallback: 1000, min: 0, help: 'warm-up per contender' },
  keys: {
    flag: 'keys',
    env: 'BENCH_KEYS',
    fallback: 1024,
    min: 1,
    help: 'distinct preloaded keys per contender',
  },
};

function usage(specs: OptionSpec[]): string {
  const lines = specs.map((spec) => ({
    left: `  --${spec.flag}=${spec.flag === 'duration' || spec.flag === 'warmup' ? 'MS' : 'N'}`,
    env: spec.env,
    help: `${spec.help} (default ${spec.fallback})`,
  }));
  lines.push({
    left: '  --only=a,b',
    env: 'BENCH_ONLY',
    help: 'only contenders whose id contains one of these',
  });
  const left = Math.max(...lines.map((line) => line.left.length)) + 2;
  const env = Math.max(...lines.map((line) => line.env.length)) + 3;
  return [
    'options (or environment variables):',
    ...lines.map((line) => `${line.left.padEnd(left)}${line.env.padEnd(env)}${line.help}`),
  ].join('\n');
}

/** The common options' help text (with their usual defaults). */
export const USAGE = usage(Object.values(NUMBERS));

/** What a benchmark may change in the common options. */
export interface OptionExtras {
  /** Its own defaults (e.g. `{ keys: 100_000 }`). */
  defaults?: Partial<Record<CommonNumberOption, number>>;
}

/**
 * Parses the common options, with a benchmark's own defaults. Unknown flags are an error;
 * environment variables a benchmark does not read are ignored.
 */
export function parseOptions(
  argv: string[],
  env: NodeJS.ProcessEnv,
  extras: OptionExtras = {},
): BenchOptions {
  const all = Object.entries(NUMBERS).map(([name, spec]): [CommonNumberOption, OptionSpec] => [
    name as CommonNumberOption,
    { ...spec, fallback: extras.defaults?.[name as CommonNumberOption] ?? spec.fallback },
  ]);
  const help = usage(all.map(([, spec]) => spec));

  const flags = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(help);
      process.exit(0);
    }
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match) throw new BenchUsageError(`unknown argument ${JSON.stringify(arg)} (see --help)`);
    flags.set(match[1]!, match[2]!);
  }
  const known = new Set([...all.map(([, spec]) => spec.flag), 'only']);
  for (const flag of flags.keys())
    if (!known.has(flag)) throw new BenchUsageError(`unknown option --${flag} (see --help)`);

  const number = (spec: OptionSpec): number => {
    const raw = flags.get(spec.flag) ?? env[spec.env];
    if (raw === undefined || raw === '') return spec.fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < spec.min)
      throw new BenchUsageError(
        `--${spec.flag} (${spec.env}) must be an integer >= ${spec.min} (got ${JSON.stringify(raw)})`,
      );
    return value;
  };
  const only = (flags.get('only') ?? env.BENCH_ONLY ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return {
    ...(Object.fromEntries(all.map(([name, spec]) => [name, number(spec)])) as Record<
      CommonNumberOption,
      number
    >),
    only,
  };
}

/** The contenders `--only` selects (all when it is empty); an error when it selects none. */
export function chooseContenders<C extends { id: string }>(all: C[], only: string[]): C[] {
  const chosen =
    only.length === 0 ? all : all.filter((contender) => only.some((part) => contender.id.includes(part)));
  if (chosen.length === 0) throw new BenchUsageError(`--only=${only.join(',')} matches no contender`);
  return chosen;
}
