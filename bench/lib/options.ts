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
  max?: number;
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

/** What a benchmark may add to the common options. */
export interface OptionExtras<K extends string> {
  /** Its own defaults for common options (e.g. `{ concurrency: 50 }`). */
  defaults?: Partial<Record<CommonNumberOption, number>>;
  /** Integer options only this benchmark has, by the property name they are returned under. */
  extra?: Record<K, OptionSpec>;
}

/**
 * Parses the common options (and a benchmark's own, when given). Unknown flags are an
 * error. Environment variables of options a benchmark does not have are ignored, so
 * one environment can drive several benchmarks (the matrix runs queue.ts with BENCH_* variables).
 */
export function parseOptions<K extends string = never>(
  argv: string[],
  env: NodeJS.ProcessEnv,
  extras: OptionExtras<K> = {},
): BenchOptions & Record<K, number> {
  const common = Object.fromEntries(
    Object.entries(NUMBERS).map(([name, spec]) => [
      name,
      { ...spec, fallback: extras.defaults?.[name as CommonNumberOption] ?? spec.fallback },
    ]),
  ) as Record<CommonNumberOption, OptionSpec>;
  const extra = (extras.extra ?? {}) as Record<K, OptionSpec>;
  const all: Array<[string, OptionSpec]> = [...Object.entries(common), ...Object.entries<OptionSpec>(extra)];
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
    if (!Number.isInteger(value) || value < spec.min || (spec.max !== undefined && value > spec.max)) {
      const range = spec.max === undefined ? `>= ${spec.min}` : `from ${spec.min} to ${spec.max}`;
      throw new BenchUsageError(
        `--${spec.flag} (${spec.env}) must be an integer ${range} (got ${JSON.stringify(raw)})`,
      );
    }
    return value;
  };
  const only = (flags.get('only') ?? env.BENCH_ONLY ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return {
    ...(Object.fromEntries(all.map(([name, spec]) => [name, number(spec)])) as Record<
      CommonNumberOption | K,
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
