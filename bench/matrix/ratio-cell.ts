// One cell: ours and every peer on the same workload, set up once, warmed up, then measured in
// interleaved rounds (the order rotated by one per round), with latency, Redis commands and CPU
// per operation; the paired ratios ours/peer of each round decide the targets.
import { performance } from 'node:perf_hooks';
import { describeError } from '../lib/report.js';
import { measure, median, type Operation, type Sample } from '../lib/measure.js';
import type { Contender } from '../lib/runner.js';
import { commandDelta, totalCalls } from './commandstats.js';
import type { CellInfo, Context } from './cell.js';
import { LatencyHistogram } from './latency.js';
import type { RedisProbe } from './probe.js';
import {
  cellHeader,
  jsonNumber,
  jsonSpread,
  type CellResult,
  type ContenderSummary,
  type RatioSummary,
  type TargetResult,
} from './results.js';
import { pairedRatios, rotate, spread } from './stats.js';

export interface MatrixContender extends Contender {
  /** The server whose commands and CPU this contender is charged with, when not the cell's. */
  probe?: RedisProbe;
  /**
   * Unmeasured work after each run of the operation (warm-up and rounds), outside the
   * commands and CPU counted: e.g. check and empty the queue the run filled.
   */
  afterRun?(sample: Sample): Promise<void>;
}

export interface Comparison {
  ours: string;
  peer: string;
  /** The target: median paired ratio ours/peer at least this. None: shown, not judged. */
  atLeast?: number;
  label?: string;
}

export interface RatioCell {
  info: CellInfo;
  contenders: MatrixContender[];
  comparisons: Comparison[];
  /** Operations in flight per contender. */
  concurrency: number;
  /** The cell's redis-server. */
  probe: RedisProbe;
  /** Misses are part of the workload (read-through), so they do not void a target. */
  missesExpected?: boolean;
  /** Names the `misses` of this cell in progress lines (`loader calls`, `unexpected decisions`). */
  missesLabel?: string;
}

export interface RoundSample extends Sample {
  commands: Map<string, number>;
  serverCpuSeconds: number;
}

export async function runRatioCell(cell: RatioCell, context: Context): Promise<CellResult> {
  const started = performance.now();
  const { settings } = context;
  const operations = new Map<MatrixContender, Operation>();
  const samples = new Map<MatrixContender, RoundSample[]>(cell.contenders.map((c) => [c, []]));
  const latencies = new Map(cell.contenders.map((c) => [c, new LatencyHistogram()]));
  const shape = (durationMs: number) => ({ durationMs, concurrency: cell.concurrency });

  try {
    for (const contender of cell.contenders) {
      context.progress(`setup   ${contender.label}`);
      operations.set(contender, await contender.setup());
    }
    if (settings.warmupMs > 0)
      for (const contender of cell.contenders) {
        const sample = await measure(operations.get(contender)!, shape(settings.warmupMs));
        failIfAllFailed(contender, sample);
        await contender.afterRun?.(sample);
      }
    const before = new Map(cell.contenders.map((c) => [c, tally(c)]));
    for (let round = 0; round < settings.rounds; round++) {
      for (const contender of rotate(cell.contenders, round)) {
        const probe = contender.probe ?? cell.probe;
        const first = await probe.snapshot();
        const sample = await measure(
          operations.get(contender)!,
          shape(settings.durationMs),
          latencies.get(contender),
        );
        const last = await probe.snapshot();
        failIfAllFailed(contender, sample);
        await contender.afterRun?.(sample);
        samples.get(contender)!.push({
          ...sample,
          commands: commandDelta(first, last),
          serverCpuSeconds: last.cpuSeconds - first.cpuSeconds,
        });
        context.progress(
          `round ${round + 1}/${settings.rounds} ${contender.label}: ${Math.round(sample.opsPerSec)} ops/s` +
            (sample.errors > 0 ? ` (${sample.errors} errors)` : ''),
        );
      }
    }
    return cellOutcome(cell, samples, (c) => latencies.get(c)!, before, started);
  } finally {
    await closeContenders(cell.contenders, context);
  }
}

/** The result of a cell whose rounds are done: each contender's figures, the ratios, the verdicts. */
export function cellOutcome<C extends Pick<MatrixContender, 'id' | 'label' | 'role' | 'misses' | 'counts'>>(
  cell: { info: CellInfo; contenders: C[]; comparisons: Comparison[]; missesLabel?: string },
  samples: Map<C, RoundSample[]>,
  latencyOf: (contender: C) => LatencyHistogram,
  before: Map<C, Tally>,
  started: number,
): CellResult {
  const contenders = cell.contenders.map((c) =>
    summarize(c, samples.get(c)!, latencyOf(c), before.get(c)!, tally(c)),
  );
  const ratios = cell.comparisons.map((comparison) => ratioOf(comparison, samples, cell.contenders));
  const targets = cell.comparisons
    .filter((comparison) => comparison.atLeast !== undefined)
    .map((comparison) => judgeRatio(comparison, ratios, contenders, cell));
  return {
    ...cellHeader(cell.info),
    status: 'ok',
    contenders,
    ratios,
    targets,
    seconds: jsonNumber((performance.now() - started) / 1000) ?? 0,
  };
}

/** Closes every contender; a failure is reported as progress, not thrown (the result stands). */
export async function closeContenders(
  contenders: Array<{ label: string; close(): Promise<unknown> }>,
  context: Context,
) {
  for (const contender of contenders)
    await contender.close().catch((error: unknown) => {
      context.progress(`close   ${contender.label} failed: ${describeError(error)}`);
    });
}

export function failIfAllFailed(contender: { label: string }, sample: Sample): void {
  if (sample.ops === 0 && sample.errors > 0)
    throw new Error(`${contender.label}: every operation failed (${describeError(sample.firstError)})`, {
      cause: sample.firstError,
    });
}

export interface Tally {
  misses: number;
  counts: Readonly<Record<string, number>>;
}

export function tally(contender: Pick<MatrixContender, 'misses' | 'counts'>): Tally {
  return { misses: contender.misses?.() ?? 0, counts: { ...contender.counts?.() } };
}

/** A contender's figures over the measured rounds (a latency histogram left empty gives no p50/p99). */
export function summarize(
  contender: Pick<MatrixContender, 'id' | 'label' | 'role'>,
  own: RoundSample[],
  latency: LatencyHistogram,
  before: Tally,
  after: Tally,
): ContenderSummary {
  const ops = own.reduce((sum, sample) => sum + sample.ops, 0);
  const commands = new Map<string, number>();
  for (const sample of own)
    for (const [command, calls] of sample.commands)
      commands.set(command, (commands.get(command) ?? 0) + calls);
  const perOp = (value: number) => (ops > 0 ? value / ops : Number.NaN);
  const commandsPerOp: Record<string, number> = {};
  for (const command of [...commands.keys()].sort()) {
    const calls = perOp(commands.get(command)!);
    if (calls >= 0.001) commandsPerOp[command] = jsonNumber(calls)!;
  }
  const errors = own.reduce((sum, sample) => sum + sample.errors, 0);
  const firstError = own.find((sample) => sample.errors > 0)?.firstError;
  const extra = Object.fromEntries(
    Object.entries(after.counts).map(([name, value]) => [name, value - (before.counts[name] ?? 0)]),
  );
  const serverCpu = own.reduce((sum, sample) => sum + sample.serverCpuSeconds, 0);
  return {
    id: contender.id,
    label: contender.label,
    role: contender.role === 'baseline' ? 'peer' : contender.role,
    opsPerSec: {
      ...jsonSpread(spread(own.map((sample) => sample.opsPerSec))),
      perRound: own.map((sample) => jsonNumber(sample.opsPerSec) ?? 0),
    },
    latencyMs: { p50: jsonNumber(latency.percentile(0.5)), p99: jsonNumber(latency.percentile(0.99)) },
    redisCommandsPerOp: jsonNumber(perOp(totalCalls(commands))),
    commandsPerOp,
    nodeCpuMicrosPerOp: jsonNumber(median(own.map((sample) => sample.cpuMicrosPerOp))),
    redisCpuMicrosPerOp: jsonNumber(perOp(serverCpu * 1e6)),
    ops,
    errors,
    misses: after.misses - before.misses,
    ...(firstError !== undefined ? { firstError: describeError(firstError) } : {}),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

export function ratioOf<C extends { id: string }>(
  comparison: Comparison,
  samples: Map<C, RoundSample[]>,
  contenders: readonly C[],
): RatioSummary {
  const rates = (id: string) => {
    const contender = contenders.find((c) => c.id === id);
    if (!contender) throw new Error(`comparison names no contender of this cell: ${id}`);
    return samples.get(contender)!.map((sample) => sample.opsPerSec);
  };
  const stats = pairedRatios(rates(comparison.ours), rates(comparison.peer));
  return {
    ours: comparison.ours,
    peer: comparison.peer,
    ...jsonSpread(stats),
    perRound: stats.perRound.map((ratio) => jsonNumber(ratio) ?? 0),
  };
}

export function judgeRatio(
  comparison: Comparison,
  ratios: RatioSummary[],
  contenders: ContenderSummary[],
  cell: Pick<RatioCell, 'missesExpected' | 'missesLabel'>,
): TargetResult {
  const ratio = ratios.find((r) => r.ours === comparison.ours && r.peer === comparison.peer)!;
  const ours = contenders.find((c) => c.id === comparison.ours)!;
  const peer = contenders.find((c) => c.id === comparison.peer)!;
  const broken = [ours, peer].filter((c) => c.errors > 0 || (c.misses > 0 && !cell.missesExpected));
  const atLeast = comparison.atLeast!;
  const passed = ratio.median !== null && ratio.median >= atLeast && broken.length === 0;
  const misses = cell.missesLabel ?? 'misses';
  return {
    label: comparison.label ?? `${ours.label} vs ${peer.label}`,
    kind: 'ratio',
    ours: comparison.ours,
    peer: comparison.peer,
    atLeast,
    value: ratio.median,
    verdict: passed ? 'PASS' : 'FAIL',
    ...(broken.length > 0
      ? {
          note: `invalid: ${broken.map((c) => `${c.id} had ${c.errors} errors, ${c.misses} ${misses}`).join('; ')}`,
        }
      : {}),
  };
}
