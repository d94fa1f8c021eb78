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

interface Spec {
  flag: string;
  env: string;
  fallback: number;
  min: number;
}

const NUMBERS: Record<Exclude<keyof BenchOptions, 'only'>, Spec> = {
  durationMs: { flag: 'duration', env: 'BENCH_DURATION_MS', fallback: 3000, min: 100 },
  concurrency: { flag: 'concurrency', env: 'BENCH_CONCURRENCY', fallback: 64, min: 1 },
  rounds: { flag: 'rounds', env: 'BENCH_ROUNDS', fallback: 3, min: 1 },
  warmupMs: { flag: 'warmup', env: 'BENCH_WARMUP_MS', fallback: 1000, min: 0 },
  keys: { flag: 'keys', env: 'BENCH_KEYS', fallback: 1024, min: 1 },
};

export const USAGE = `options (or environment variables):
  --duration=MS      BENCH_DURATION_MS   measured time per contender per round (default 3000)
  --concurrency=N    BENCH_CONCURRENCY   requests in flight (default 64)
  --rounds=N         BENCH_ROUNDS        interleaved rounds, median reported (default 3)
  --warmup=MS        BENCH_WARMUP_MS     warm-up per contender (default 1000)
  --keys=N           BENCH_KEYS          distinct preloaded keys per contender (default 1024)
  --only=a,b         BENCH_ONLY          only contenders whose id contains one of these`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    flags.set(match[1]!, match[2]!);
  }
  const known = new Set([...Object.values(NUMBERS).map((spec) => spec.flag), 'only']);
  for (const flag of flags.keys())
    if (!known.has(flag)) throw new Error(`unknown option --${flag}\n${USAGE}`);

  const number = (spec: Spec): number => {
    const raw = flags.get(spec.flag) ?? env[spec.env];
    if (raw === undefined || raw === '') return spec.fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < spec.min)
      throw new Error(
        `--${spec.flag} (${spec.env}) must be an integer >= ${spec.min} (got ${JSON.stringify(raw)})`,
      );
    return value;
  };
  const only = (flags.get('only') ?? env.BENCH_ONLY ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return {
    durationMs: number(NUMBERS.durationMs),
    concurrency: number(NUMBERS.concurrency),
    rounds: number(NUMBERS.rounds),
    warmupMs: number(NUMBERS.warmupMs),
    keys: number(NUMBERS.keys),
    only,
  };
}
