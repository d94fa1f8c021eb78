// The matrix's command line: --quick, --only, --list, --rounds, --duration, --warmup, --help.
import { BenchUsageError } from '../lib/options.js';
import type { Settings } from './cell.js';

export interface MatrixArgs {
  help: boolean;
  list: boolean;
  quick: boolean;
  /** Cell patterns (see matchesCell); empty: every cell of the mode. */
  only: string[];
  settings: Settings;
  /** Clients per transport of the realtime cell, when given. */
  clients?: number;
}

export const FULL_SETTINGS: Settings = { rounds: 5, durationMs: 1000, warmupMs: 500 };
export const QUICK_SETTINGS: Settings = { rounds: 2, durationMs: 500, warmupMs: 250 };

export const USAGE = `Usage: npm run bench [-- options]

Runs the workload matrix: every cell measures ours and each peer in the same run, in
interleaved rounds, and judges the targets on the median of the paired ratios. Writes
bench/results/latest.json; \`pnpm --filter @rnh/bench run readme\` puts its table in
bench/README.md. A full run takes about 20 minutes on 2 cores.

options:
  --quick          one cell per package, short rounds (under 2 minutes)
  --only=PATTERN   only cells whose id contains PATTERN (* matches anything; several: a,b),
                   e.g. --only=cache/l2/4kb, --only='ratelimit/*/1m'
  --list           print the cell ids (those of --quick marked) and exit
  --rounds=N       measured rounds per cell (default ${FULL_SETTINGS.rounds}, quick ${QUICK_SETTINGS.rounds})
  --duration=MS    measured time per contender per round (default ${FULL_SETTINGS.durationMs}, quick ${QUICK_SETTINGS.durationMs})
  --warmup=MS      warm-up per contender before the first round (default ${FULL_SETTINGS.warmupMs}, quick ${QUICK_SETTINGS.warmupMs})
  --clients=N      realtime/broadcast: N WebSocket + N SSE clients of ours, 2N of the peer
                   (default 1000, quick 200; a server needs N x 2 + 200 open files)
  --help           this text

Targets are reported as PASS or FAIL; the exit code is 0 whatever they say (1 only when
the matrix itself could not run, 2 for a bad command line).`;

const NUMBERS = {
  rounds: { key: 'rounds', min: 1 },
  duration: { key: 'durationMs', min: 100 },
  warmup: { key: 'warmupMs', min: 0 },
  clients: { key: 'clients', min: 1 },
} as const;

export function parseMatrixArgs(argv: readonly string[]): MatrixArgs {
  let help = false;
  let list = false;
  let quick = false;
  const only: string[] = [];
  const numbers: Partial<Settings & { clients: number }> = {};
  for (let index = 0; index < argv.length; index++) {
    let arg = argv[index]!;
    // `--rounds 3` as well as `--rounds=3`.
    const bare = /^--([a-z]+)$/.exec(arg);
    if (bare && Object.hasOwn(NUMBERS, bare[1]!) && index + 1 < argv.length) arg = `${arg}=${argv[++index]}`;
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--list') list = true;
    else if (arg === '--quick') quick = true;
    else if (arg.startsWith('--only=')) {
      const patterns = arg
        .slice('--only='.length)
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      if (patterns.length === 0)
        throw new BenchUsageError('--only needs a cell pattern, e.g. --only=cache/l2');
      only.push(...patterns);
    } else {
      const match = /^--([a-z]+)=(.*)$/.exec(arg);
      const spec =
        match && Object.hasOwn(NUMBERS, match[1]!) ? NUMBERS[match[1] as keyof typeof NUMBERS] : undefined;
      if (!match || !spec) {
        const kind = arg.startsWith('-') ? 'option' : 'argument';
        throw new BenchUsageError(`unknown ${kind} ${JSON.stringify(arg)} (see --help)`);
      }
      const value = Number(match[2]);
      if (!Number.isInteger(value) || value < spec.min)
        throw new BenchUsageError(
          `--${match[1]} must be an integer >= ${spec.min} (got ${JSON.stringify(match[2])})`,
        );
      numbers[spec.key] = value;
    }
  }
  const { clients, ...settings } = numbers;
  return {
    help,
    list,
    quick,
    only,
    settings: { ...(quick ? QUICK_SETTINGS : FULL_SETTINGS), ...settings },
    ...(clients !== undefined ? { clients } : {}),
  };
}

/** Whether a cell id matches one of the patterns: a substring, where `*` stands for anything. */
export function matchesCell(id: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(source).test(id);
  });
}
