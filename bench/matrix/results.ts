// The shape of bench/results/latest.json: the machine, the versions, and every cell's numbers
// and verdicts. The README table is generated from it (readme-table.ts).

export type Verdict = 'PASS' | 'FAIL';

export interface Spread {
  median: number | null;
  min: number | null;
  max: number | null;
}

export interface ContenderSummary {
  id: string;
  label: string;
  /** `ours`: the package under test; `peer`: what users would pick instead; `info`: context only. */
  role: 'ours' | 'peer' | 'info';
  /** Operations per second over the measured rounds (null where a cell counts something else). */
  opsPerSec: (Spread & { perRound: number[] }) | null;
  latencyMs: { p50: number | null; p99: number | null };
  /** Redis commands per operation, from INFO commandstats (scripts' inner commands included). */
  redisCommandsPerOp: number | null;
  /** The same by command, e.g. `{ get: 1 }` or `{ evalsha: 1, incrby: 1, pttl: 1 }`. */
  commandsPerOp: Record<string, number>;
  /** CPU µs per operation of the measuring process (all threads) and of redis-server's main thread. */
  nodeCpuMicrosPerOp: number | null;
  redisCpuMicrosPerOp: number | null;
  ops: number;
  errors: number;
  /** Outcomes that void a target (a loader call in a hit cell, a denial where all must pass). */
  misses: number;
  firstError?: string;
  /** Cell-specific figures (allowed/denied decisions, loads per key, ...). */
  extra?: Record<string, number>;
}

export interface RatioSummary {
  /** Contender ids: the ratio is ours / peer, per round. */
  ours: string;
  peer: string;
  /** What is divided, when not the rate (e.g. `lag p99`, `memory per client`). */
  measure?: string;
  median: number | null;
  min: number | null;
  max: number | null;
  perRound: number[];
}

export interface TargetResult {
  label: string;
  /**
   * `ratio`: median of the paired ratios ours/peer at least `atLeast` (a rate) or at most
   * `atMost` (a lag, a size); `exact`: a count equal to `expected`.
   */
  kind: 'ratio' | 'exact';
  ours?: string;
  peer?: string;
  /** The ratio's `measure`, when it has one. */
  measure?: string;
  atLeast?: number;
  atMost?: number;
  expected?: number;
  value: number | null;
  verdict: Verdict;
  note?: string;
}

export interface CellResult {
  id: string;
  section: string;
  title: string;
  params: Record<string, string | number>;
  status: 'ok' | 'error' | 'skipped';
  /** Why it was skipped, or what to know about it. */
  note?: string;
  error?: string;
  contenders: ContenderSummary[];
  ratios: RatioSummary[];
  targets: TargetResult[];
  seconds: number;
}

export interface MatrixResults {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  mode: 'full' | 'quick';
  /** The --only patterns (empty: every cell of the mode). */
  only: string[];
  settings: { rounds: number; durationMs: number; warmupMs: number };
  machine: {
    cpuModel: string;
    cores: number;
    /** 1, 5 and 15 minute load averages when the run started. */
    loadAverage: number[];
    platform: string;
    arch: string;
    memoryGiB: number;
  };
  versions: {
    node: string;
    redisServer: string;
    /** The git commit the workspace was at (with `+dirty` when it had uncommitted changes). */
    commit: string;
    packages: Record<string, string>;
  };
  cells: CellResult[];
}

/** A target's goal: `>= 1.5x`, `<= 1.0x` or `= 1`. */
export function goalText(target: TargetResult): string {
  if (target.kind === 'exact') return `= ${target.expected}`;
  return target.atMost !== undefined
    ? `<= ${target.atMost.toFixed(1)}x`
    : `>= ${target.atLeast!.toFixed(1)}x`;
}

/** The target that judges a ratio: same contenders, same measure. */
export function targetOf(targets: readonly TargetResult[], ratio: RatioSummary): TargetResult | undefined {
  return targets.find(
    (t) =>
      t.kind === 'ratio' && t.ours === ratio.ours && t.peer === ratio.peer && t.measure === ratio.measure,
  );
}

/** A number as JSON keeps it: NaN and infinities become null, the rest is rounded to 4 significant digits. */
export function jsonNumber(value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  if (value === 0) return 0;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 6)));
}

export function jsonSpread(values: { median: number; min: number; max: number }): Spread {
  return { median: jsonNumber(values.median), min: jsonNumber(values.min), max: jsonNumber(values.max) };
}

/** The part of a cell's description that goes into its result (not what a section keeps for itself). */
export function cellHeader(cell: {
  id: string;
  section: string;
  title: string;
  params?: CellResult['params'];
}): Pick<CellResult, 'id' | 'section' | 'title' | 'params'> {
  return { id: cell.id, section: cell.section, title: cell.title, params: cell.params ?? {} };
}

/** A cell that did not run (no redis-benchmark, the api not built, ...). */
export function skippedCell(
  cell: { id: string; section: string; title: string; params?: CellResult['params'] },
  note: string,
): CellResult {
  return {
    ...cellHeader(cell),
    status: 'skipped',
    note,
    contenders: [],
    ratios: [],
    targets: [],
    seconds: 0,
  };
}

/** A cell that failed to run: the error is kept, the run goes on with the next cell. */
export function failedCell(
  cell: { id: string; section: string; title: string; params?: CellResult['params'] },
  error: unknown,
  seconds: number,
): CellResult {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    ...cellHeader(cell),
    status: 'error',
    error: message,
    contenders: [],
    ratios: [],
    targets: [],
    seconds,
  };
}
