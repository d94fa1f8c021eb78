// Runs contenders interleaved for a few rounds on the same load, so machine noise hits all alike.
import { measure, median, type LoadShape, type Operation, type Sample } from './measure.js';

/**
 * `baseline`: the row its group's ratios are computed against; `ours`: the code under test;
 * `peer`: a library users would pick instead; `info`: shown for context, judged by no target.
 */
export type Role = 'baseline' | 'ours' | 'peer' | 'info';

export interface Contender {
  /** Short id, for `--only` and for targets. */
  id: string;
  /** What is printed in the table. */
  label: string;
  /** Table this contender belongs to (e.g. `L2 hit`). */
  group: string;
  role: Role;
  /** Prepares the contender (connect, preload, check one answer); returns the operation to measure. */
  setup(): Promise<Operation>;
  /** Misses (loader/factory calls) seen so far; a hit benchmark expects 0. */
  misses?(): number;
  /** Safe to call when setup failed or never ran. */
  close(): Promise<void>;
}

export interface MeasuredSample extends Sample {
  /** CPU time of the server's main thread per completed operation, in µs (when a probe was given). */
  serverCpuMicrosPerOp: number;
}

export interface ContenderResult {
  contender: Contender;
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
    const missesBefore = new Map(contenders.map((contender) => [contender, contender.misses?.() ?? 0]));
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
    return contenders.map((contender) => {
      const own = samples.get(contender)!;
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
        misses: (contender.misses?.() ?? 0) - missesBefore.get(contender)!,
      };
    });
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

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export function formatRate(opsPerSec: number): string {
  return Math.round(opsPerSec).toLocaleString('en-US');
}
