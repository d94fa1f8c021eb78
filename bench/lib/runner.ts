// Runs contenders interleaved for a few rounds on the same load, so machine noise hits all alike.
import { measure, median, type LoadShape, type Operation, type Sample } from './measure.js';

/**
 * `baseline`: the row its group's ratios are computed against; `ours`: the code under test;
 * `peer`: a library users would pick instead; `info`: shown for context, judged by no target.
 */
export type Role = 'baseline' | 'ours' | 'peer' | 'info';

/** What tables and targets need to know about a contender. */
export interface ContenderInfo {
  /** Short id, for `--only` and for targets. */
  id: string;
  /** What is printed in the table. */
  label: string;
  /** Table this contender belongs to (e.g. `L2 hit`). */
  group: string;
  role: Role;
}

export interface Contender extends ContenderInfo {
  /** Prepares the contender (connect, preload, check one answer); returns the operation to measure. */
  setup(): Promise<Operation>;
  /**
   * Misses (loader/factory calls) seen so far; a hit benchmark expects 0. Other benchmarks
   * use it for any outcome that voids the measurement (e.g. a denial where all must pass).
   */
  misses?(): number;
  /** Running totals of outcomes worth showing (e.g. `{ allowed, denied }`); the result has the measured rounds' part. */
  counts?(): Readonly<Record<string, number>>;
  /** Safe to call when setup failed or never ran. */
  close(): Promise<void>;
}

export interface MeasuredSample extends Sample {
  /** CPU time of the server's main thread per completed operation, in µs (when a probe was given). */
  serverCpuMicrosPerOp: number;
}

export interface ContenderResult<C extends ContenderInfo = Contender> {
  contender: C;
  samples: MeasuredSample[];
  /** Median ops/s over the rounds. */
  opsPerSec: number;
  minOpsPerSec: number;
  maxOpsPerSec: number;
  /** Medians over the rounds. */
  cpuMicrosPerOp: number;
  serverCpuMicrosPerOp: number;
  totalOps: number;
  totalMs: number;
  errors: number;
  firstError: unknown;
  misses: number;
  /** What `counts()` added up to during the measured rounds (warm-up excluded); empty without `counts`. */
  counts: Record<string, number>;
}

export interface RunPlan extends LoadShape {
  rounds: number;
  warmupMs: number;
  /** Progress lines (e.g. to stderr). */
  progress?: (line: string) => void;
  /** CPU seconds used so far by the server under test; sampled around each measurement. */
  serverCpuSeconds?: () => Promise<number>;
}

/**
 * Sets every contender up, warms each one up, then measures them in `rounds` rounds;
 * each round runs every contender once, in an order rotated by one per round. All
 * contenders are closed at the end, also when one fails. A measurement in which every
 * operation failed stops the run (the server is probably gone).
 */
export async function runContenders(contenders: Contender[], plan: RunPlan): Promise<ContenderResult[]> {
  const progress = plan.progress ?? (() => undefined);
  const operations = new Map<Contender, Operation>();
  const samples = new Map<Contender, MeasuredSample[]>(contenders.map((contender) => [contender, []]));
  const serverCpu = plan.serverCpuSeconds ?? (async () => Number.NaN);

  const run = async (contender: Contender, durationMs: number): Promise<MeasuredSample> => {
    const serverBefore = await serverCpu();
    const sample = await measure(operations.get(contender)!, { ...plan, durationMs });
    const serverAfter = await serverCpu();
    if (sample.ops === 0 && sample.errors > 0) {
      throw new Error(`${contender.label}: every operation failed`, { cause: sample.firstError });
    }
    return {
      ...sample,
      serverCpuMicrosPerOp: ((serverAfter - serverBefore) * 1e6) / Math.max(1, sample.ops),
    };
  };

  try {
    for (const contender of contenders) {
      progress(`setup   ${contender.label}`);
      operations.set(contender, await contender.setup());
    }
    if (plan.warmupMs > 0) {
      for (const contender of contenders) {
        const sample = await run(contender, plan.warmupMs);
        progress(`warm-up ${contender.label}: ${formatRate(sample.opsPerSec)} ops/s`);
      }
    }
    const before = new Map(contenders.map((contender) => [contender, tally(contender)]));
    for (let round = 0; round < plan.rounds; round++) {
      for (const contender of rotate(contenders, round)) {
        const sample = await run(contender, plan.durationMs);
        samples.get(contender)!.push(sample);
        progress(
          `round ${round + 1}/${plan.rounds} ${contender.label}: ${formatRate(sample.opsPerSec)} ops/s` +
            (sample.errors > 0 ? ` (${sample.errors} errors)` : ''),
        );
      }
    }
    return contenders.map((contender) =>
      summarize(contender, samples.get(contender)!, before.get(contender)!, tally(contender)),
    );
  } finally {
    for (const contender of contenders) {
      await contender.close().catch((error: unknown) => {
        progress(
          `close   ${contender.label} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
  }
}

interface Tally {
  misses: number;
  counts: Readonly<Record<string, number>>;
}

function tally(contender: { misses?(): number; counts?(): Readonly<Record<string, number>> }): Tally {
  return { misses: contender.misses?.() ?? 0, counts: { ...contender.counts?.() } };
}

function summarize<C extends ContenderInfo>(
  contender: C,
  own: MeasuredSample[],
  before: Tally,
  after: Tally,
): ContenderResult<C> {
  const rates = own.map((sample) => sample.opsPerSec);
  return {
    contender,
    samples: own,
    opsPerSec: median(rates),
    minOpsPerSec: Math.min(...rates),
    maxOpsPerSec: Math.max(...rates),
    cpuMicrosPerOp: median(own.map((sample) => sample.cpuMicrosPerOp)),
    serverCpuMicrosPerOp: median(own.map((sample) => sample.serverCpuMicrosPerOp)),
    totalOps: own.reduce((sum, sample) => sum + sample.ops, 0),
    totalMs: own.reduce((sum, sample) => sum + sample.elapsedMs, 0),
    errors: own.reduce((sum, sample) => sum + sample.errors, 0),
    firstError: own.find((sample) => sample.errors > 0)?.firstError,
    misses: after.misses - before.misses,
    counts: Object.fromEntries(
      Object.entries(after.counts).map(([name, value]) => [name, value - (before.counts[name] ?? 0)]),
    ),
  };
}

/**
 * A contender measured on fixed work instead of for a fixed time (the matrix's
 * `trial-cell.ts`): each trial does `size` operations (e.g. work off a backlog of N jobs)
 * and is timed by the contender itself (`timed()` from measure.ts), so it decides where
 * the clock starts and stops.
 */
export interface TrialContender extends ContenderInfo {
  /** Connects and builds what every trial uses. */
  setup(): Promise<void>;
  /** Unmeasured work before each trial (e.g. fill a queue with `size` jobs). */
  prepare?(size: number): Promise<void>;
  /** The measured work: `size` operations, timed. */
  trial(size: number): Promise<Sample>;
  /** Unmeasured work after each trial (e.g. check that the queue is empty). */
  finish?(): Promise<void>;
  misses?(): number;
  counts?(): Readonly<Record<string, number>>;
  /** Safe to call when setup failed or never ran. */
  close(): Promise<void>;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export function formatRate(opsPerSec: number): string {
  return Math.round(opsPerSec).toLocaleString('en-US');
}
