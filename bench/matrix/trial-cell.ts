// A cell measured in fixed-work trials instead of for a fixed time: in each round every
// contender does one trial of N operations that it times itself (e.g. work off a backlog of N
// jobs, from the worker's go to the last completion). N is sized per contender from its
// warm-up so that a trial lasts about --duration; rounds are interleaved and rotated, and the
// paired ratios of the rates decide the targets, as in a ratio cell.
import { performance } from 'node:perf_hooks';
import type { Sample } from '../lib/measure.js';
import type { TrialContender } from '../lib/runner.js';
import type { CellInfo, Context } from './cell.js';
import { commandDelta } from './commandstats.js';
import { LatencyHistogram } from './latency.js';
import type { RedisProbe } from './probe.js';
import {
  cellOutcome,
  closeContenders,
  failIfAllFailed,
  tally,
  type Comparison,
  type RoundSample,
} from './ratio-cell.js';
import type { CellResult } from './results.js';
import { rotate } from './stats.js';

export interface TrialCell {
  info: CellInfo;
  contenders: TrialContender[];
  comparisons: Comparison[];
  /** The cell's redis-server (commands and CPU per operation). */
  probe: RedisProbe;
  /** The first warm-up trial's size; later ones double (see `warmUp`). */
  firstSize: number;
  /** Names the `misses` of this cell (`wrong counts`). */
  missesLabel?: string;
}

/** Bounds of a measured trial's size, whatever the warm-up said. */
const MIN_SIZE = 100;
const MAX_SIZE = 200_000;

export async function runTrialCell(cell: TrialCell, context: Context): Promise<CellResult> {
  const started = performance.now();
  const { settings } = context;
  const samples = new Map<TrialContender, RoundSample[]>(cell.contenders.map((c) => [c, []]));
  const sizes = new Map<TrialContender, number>();
  const once = async (contender: TrialContender, size: number): Promise<Sample> => {
    await contender.prepare?.(size);
    const sample = await contender.trial(size);
    failIfAllFailed(contender, sample);
    await contender.finish?.();
    return sample;
  };

  try {
    for (const contender of cell.contenders) {
      context.progress(`setup   ${contender.label}`);
      await contender.setup();
    }
    for (const contender of cell.contenders) {
      const size = await warmUp(contender, cell.firstSize, settings.warmupMs, once);
      sizes.set(
        contender,
        Math.round(Math.min(MAX_SIZE, Math.max(MIN_SIZE, (size * settings.durationMs) / 1000))),
      );
    }
    const before = new Map(cell.contenders.map((c) => [c, tally(c)]));
    for (let round = 0; round < settings.rounds; round++) {
      for (const contender of rotate(cell.contenders, round)) {
        const size = sizes.get(contender)!;
        await contender.prepare?.(size);
        const first = await cell.probe.snapshot();
        const sample = await contender.trial(size);
        const last = await cell.probe.snapshot();
        failIfAllFailed(contender, sample);
        await contender.finish?.();
        samples.get(contender)!.push({
          ...sample,
          commands: commandDelta(first, last),
          serverCpuSeconds: last.cpuSeconds - first.cpuSeconds,
        });
        context.progress(
          `round ${round + 1}/${settings.rounds} ${contender.label}: ${Math.round(sample.opsPerSec)} ops/s ` +
            `(${size} in ${Math.round(sample.elapsedMs)} ms)` +
            (sample.errors > 0 ? ` (${sample.errors} errors)` : ''),
        );
      }
    }
    // Trials are timed as a whole: no per-operation latency (an empty histogram gives no p99).
    const noLatency = new LatencyHistogram();
    return cellOutcome(cell, samples, () => noLatency, before, started);
  } finally {
    await closeContenders(cell.contenders, context);
  }
}

/**
 * Unmeasured trials, `firstSize` then doubling, until they have taken `warmupMs` in all and
 * the last one lasted at least half of it (at least one trial, even with no warm-up asked
 * for): the first, short trials run cold. Answers the last trial's rate, in operations per second.
 */
async function warmUp(
  contender: TrialContender,
  firstSize: number,
  warmupMs: number,
  once: (contender: TrialContender, size: number) => Promise<Sample>,
): Promise<number> {
  let size = firstSize;
  let spent = 0;
  for (;;) {
    const sample = await once(contender, size);
    spent += sample.elapsedMs;
    if ((sample.elapsedMs >= warmupMs / 2 && spent >= warmupMs) || size >= MAX_SIZE) return sample.opsPerSec;
    size *= 2;
  }
}
