// The realtime cell's figures: per contender and round, the lags of every delivery and the
// server's memory per client; per comparison, the paired ratios ours/peer of each round's lag
// p99 and memory per client (lower is better for both, so the targets are "at most").
import { median } from '../lib/measure.js';
import { totalCalls } from './commandstats.js';
import { LatencyHistogram } from './latency.js';
import {
  jsonNumber,
  jsonSpread,
  type ContenderSummary,
  type RatioSummary,
  type TargetResult,
} from './results.js';
import { pairedRatios } from './stats.js';

export interface BroadcastRound {
  /** ms from `sentAt` to the frame read by the client, one per delivery. */
  lags: number[];
  broadcasts: number;
  /** Deliveries that never came (within the driver's timeout). */
  missed: number;
  /** Clients whose connection closed during the round. */
  closed: number;
  /** Server RSS and heap after a full GC at the end of the round, less the same before any client. */
  rssBytesPerClient: number;
  heapBytesPerClient: number;
  serverCpuMicros: number;
  redisCpuSeconds: number;
  commands: ReadonlyMap<string, number>;
  driverCpuMicrosPerDelivery: number;
}

export interface BroadcastContender {
  id: string;
  label: string;
  role: ContenderSummary['role'];
  websockets: number;
  sse: number;
  connectSeconds: number;
  rounds: BroadcastRound[];
}

export interface BroadcastComparison {
  ours: string;
  peer: string;
  /** Targets: the median paired ratio ours/peer at most this. None: shown, not judged. */
  lagP99AtMost?: number;
  memoryAtMost?: number;
}

export const LAG_MEASURE = 'lag p99';
export const MEMORY_MEASURE = 'RSS per client';
export const HEAP_MEASURE = 'heap per client';

function histogramOf(lags: readonly number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const lag of lags) histogram.record(Math.max(0, lag));
  return histogram;
}

/** A percentile of a round's lags (0.99: p99), ms. */
export function roundLag(round: BroadcastRound, fraction: number): number {
  return histogramOf(round.lags).percentile(fraction);
}

export function summarizeContender(contender: BroadcastContender): ContenderSummary {
  const { rounds } = contender;
  const all = new LatencyHistogram();
  for (const round of rounds) all.merge(histogramOf(round.lags));
  const broadcasts = rounds.reduce((sum, round) => sum + round.broadcasts, 0);
  const perBroadcast = (value: number) => (broadcasts > 0 ? value / broadcasts : Number.NaN);
  const commands = new Map<string, number>();
  for (const round of rounds)
    for (const [command, calls] of round.commands)
      commands.set(command, (commands.get(command) ?? 0) + calls);
  const commandsPerOp: Record<string, number> = {};
  for (const command of [...commands.keys()].sort()) {
    const calls = perBroadcast(commands.get(command)!);
    if (calls >= 0.001) commandsPerOp[command] = jsonNumber(calls)!;
  }
  const deliveries = all.count;
  const serverCpu = rounds.reduce((sum, round) => sum + round.serverCpuMicros, 0);
  const missed = rounds.reduce((sum, round) => sum + round.missed, 0);
  const closed = rounds.reduce((sum, round) => sum + round.closed, 0);
  const clients = contender.websockets + contender.sse;
  return {
    id: contender.id,
    label: contender.label,
    role: contender.role,
    opsPerSec: null,
    latencyMs: { p50: jsonNumber(all.percentile(0.5)), p99: jsonNumber(all.percentile(0.99)) },
    redisCommandsPerOp: jsonNumber(perBroadcast(totalCalls(commands))),
    commandsPerOp,
    nodeCpuMicrosPerOp: jsonNumber(perBroadcast(serverCpu)),
    redisCpuMicrosPerOp: jsonNumber(
      perBroadcast(rounds.reduce((sum, round) => sum + round.redisCpuSeconds, 0) * 1e6),
    ),
    ops: deliveries,
    errors: closed,
    misses: missed,
    ...(closed > 0 ? { firstError: `${closed} client connections closed during the rounds` } : {}),
    extra: {
      clients,
      websockets: contender.websockets,
      sse: contender.sse,
      broadcasts,
      rssBytesPerClient: jsonNumber(median(rounds.map((round) => round.rssBytesPerClient))) ?? 0,
      heapBytesPerClient: jsonNumber(median(rounds.map((round) => round.heapBytesPerClient))) ?? 0,
      lagMaxMs: jsonNumber(all.percentile(1)) ?? 0,
      serverCpuMicrosPerDelivery: jsonNumber(deliveries > 0 ? serverCpu / deliveries : Number.NaN) ?? 0,
      driverCpuMicrosPerDelivery:
        jsonNumber(median(rounds.map((round) => round.driverCpuMicrosPerDelivery))) ?? 0,
      connectSeconds: jsonNumber(contender.connectSeconds) ?? 0,
    },
  };
}

function ratio(
  comparison: BroadcastComparison,
  measure: string,
  figure: (round: BroadcastRound) => number,
  contenders: readonly BroadcastContender[],
): RatioSummary {
  const rounds = (id: string) => {
    const contender = contenders.find((c) => c.id === id);
    if (!contender) throw new Error(`comparison names no contender of this cell: ${id}`);
    return contender.rounds.map(figure);
  };
  // A figure of 0 or less (memory that went down with clients connected) measured nothing.
  const measured = (values: number[]) => values.map((value) => (value > 0 ? value : Number.NaN));
  const stats = pairedRatios(measured(rounds(comparison.ours)), measured(rounds(comparison.peer)));
  return {
    ours: comparison.ours,
    peer: comparison.peer,
    measure,
    ...jsonSpread(stats),
    perRound: stats.perRound.map((value) => jsonNumber(value) ?? 0),
  };
}

function judge(
  ratio: RatioSummary,
  atMost: number,
  label: string,
  summaries: readonly ContenderSummary[],
): TargetResult {
  const broken = summaries.filter(
    (c) => (c.id === ratio.ours || c.id === ratio.peer) && (c.errors > 0 || c.misses > 0),
  );
  const passed = ratio.median !== null && ratio.median <= atMost && broken.length === 0;
  return {
    label,
    kind: 'ratio',
    ours: ratio.ours,
    peer: ratio.peer,
    measure: ratio.measure,
    atMost,
    value: ratio.median,
    verdict: passed ? 'PASS' : 'FAIL',
    ...(broken.length > 0
      ? {
          note: `invalid: ${broken.map((c) => `${c.id} had ${c.errors} closed connections, ${c.misses} missed deliveries`).join('; ')}`,
        }
      : {}),
  };
}

export function summarizeBroadcasts(
  contenders: readonly BroadcastContender[],
  comparisons: readonly BroadcastComparison[],
): { contenders: ContenderSummary[]; ratios: RatioSummary[]; targets: TargetResult[] } {
  const summaries = contenders.map(summarizeContender);
  const ratios: RatioSummary[] = [];
  const targets: TargetResult[] = [];
  for (const comparison of comparisons) {
    const lag = ratio(comparison, LAG_MEASURE, (round) => roundLag(round, 0.99), contenders);
    const memory = ratio(comparison, MEMORY_MEASURE, (round) => round.rssBytesPerClient, contenders);
    // Shown, never judged: the V8 heap is the part of RSS the JavaScript of each library holds.
    const heap = ratio(comparison, HEAP_MEASURE, (round) => round.heapBytesPerClient, contenders);
    ratios.push(lag, memory, heap);
    if (comparison.lagP99AtMost !== undefined)
      targets.push(
        judge(
          lag,
          comparison.lagP99AtMost,
          `${comparison.ours}: broadcast lag p99 no worse than ${comparison.peer}`,
          summaries,
        ),
      );
    if (comparison.memoryAtMost !== undefined)
      targets.push(
        judge(
          memory,
          comparison.memoryAtMost,
          `${comparison.ours}: memory per client lower than ${comparison.peer}`,
          summaries,
        ),
      );
  }
  return { contenders: summaries, ratios, targets };
}
