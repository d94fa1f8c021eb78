// Plain-text tables and target verdicts, the same in every benchmark.
import { arch, cpus, platform } from 'node:os';
import { BenchUsageError } from './options.js';
import { formatRate, type ContenderInfo, type ContenderResult } from './runner.js';

/** A plain-text table; columns listed in `rightAligned` (numbers) are padded on the left. */
export function table(headers: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const MARK = { baseline: ' [baseline]', ours: '', peer: '', info: ' [info]' } as const;

/** A column a benchmark adds to its tables (before `check`), e.g. allowed and denied decisions. */
export interface ExtraColumn {
  header: string;
  cell(result: ContenderResult<ContenderInfo>): string;
  /** Right-align (numbers); default true. */
  numeric?: boolean;
}

export interface TableOptions {
  columns?: ExtraColumn[];
  /** What the `check` column calls `misses` (e.g. `unexpected`); default `misses`. */
  missesLabel?: string;
}

/**
 * One group's table: median ops/s, ratio to the group's baseline, spread over the rounds,
 * CPU per operation (this process, and the Redis server's main thread), totals, and a check
 * that every operation was a hit and none failed.
 */
export function resultsTable(
  results: Array<ContenderResult<ContenderInfo>>,
  options: TableOptions = {},
): string {
  const extra = options.columns ?? [];
  const missesLabel = options.missesLabel ?? 'misses';
  const baseline = results.find((result) => result.contender.role === 'baseline');
  const micros = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');
  const rows = results.map((result) => [
    result.contender.label + MARK[result.contender.role],
    formatRate(result.opsPerSec),
    baseline ? `${(result.opsPerSec / baseline.opsPerSec).toFixed(2)}x` : '-',
    `${formatRate(result.minOpsPerSec)}..${formatRate(result.maxOpsPerSec)}`,
    micros(result.cpuMicrosPerOp),
    micros(result.serverCpuMicrosPerOp),
    result.totalOps.toLocaleString('en-US'),
    `${(result.totalMs / 1000).toFixed(1)} s`,
    ...extra.map((column) => column.cell(result)),
    result.errors > 0 || result.misses > 0
      ? `${result.errors} errors, ${result.misses} ${missesLabel}`
      : 'ok',
  ]);
  const fixed = [
    'contender',
    'ops/s (median)',
    'vs baseline',
    'min..max ops/s',
    'node µs/op',
    'redis µs/op',
    'ops (all rounds)',
    'time',
  ];
  const right = new Set([1, 2, 3, 4, 5, 6, 7]);
  extra.forEach((column, index) => {
    if (column.numeric !== false) right.add(fixed.length + index);
  });
  return table([...fixed, ...extra.map((column) => column.header), 'check'], rows, right);
}

export interface Target {
  /** e.g. `L2 hit vs raw ioredis (no auto-pipelining)` */
  label: string;
  ours: string;
  theirs: string;
  /** Minimum ratio ours/theirs. */
  atLeast: number;
}

export interface Verdict {
  line: string;
  passed: boolean;
}

/** `L2 hit vs raw ioredis (no auto-pipelining): 1.23x (target >= 1.0x) PASS`, or a line saying why it cannot be judged. */
export function judge(target: Target, results: Array<ContenderResult<ContenderInfo>>): Verdict {
  const find = (id: string) => results.find((result) => result.contender.id === id);
  const ours = find(target.ours);
  const theirs = find(target.theirs);
  const goal = `target >= ${target.atLeast.toFixed(1)}x`;
  if (!ours || !theirs) return { line: `${target.label}: not measured in this run (${goal})`, passed: false };
  const broken = [ours, theirs].filter((result) => result.errors > 0 || result.misses > 0);
  const ratio = ours.opsPerSec / theirs.opsPerSec;
  const passed = ratio >= target.atLeast && broken.length === 0;
  const note =
    broken.length > 0
      ? ` (invalid: ${broken.map((result) => result.contender.label).join(', ')} had errors or misses)`
      : '';
  return {
    line: `${target.label}: ${ratio.toFixed(2)}x (${goal}) ${passed ? 'PASS' : 'FAIL'}${note}`,
    passed,
  };
}

/** `label: 1.23x` for a ratio shown for information (judged by no target). */
export function ratioLine(
  label: string,
  ours: string,
  theirs: string,
  results: Array<ContenderResult<ContenderInfo>>,
): string {
  const find = (id: string) => results.find((result) => result.contender.id === id);
  const a = find(ours);
  const b = find(theirs);
  if (!a || !b) return `${label}: not measured in this run`;
  return `${label}: ${(a.opsPerSec / b.opsPerSec).toFixed(2)}x`;
}

export function machineLine(): string {
  const cores = cpus();
  const model = cores[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return `node ${process.version} (${platform()} ${arch()}), ${cores.length} CPUs (${model})`;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Evidence line: how many Redis commands the client metrics timed (they were on during the run). */
export async function redisCommandsTimedLine(registry: {
  getSingleMetric(
    name: string,
  ): { get(): Promise<{ values: Array<{ value: number; metricName?: string }> }> } | undefined;
}): Promise<string> {
  const durations = await registry.getSingleMetric('db_client_operation_duration_seconds')?.get();
  const timed = (durations?.values ?? [])
    .filter((sample) => String(sample.metricName).endsWith('_count'))
    .reduce((sum, sample) => sum + sample.value, 0);
  return `          db_client_operation_duration_seconds: ${timed.toLocaleString('en-US')} Redis commands timed`;
}

/** The last line of a benchmark's output. */
export function runTookLine(startedMs: number): string {
  return `Run took ${((Date.now() - startedMs) / 1000).toFixed(0)} s (${new Date().toISOString()}).`;
}

/** Runs a benchmark's main(); a failure is printed with its stack and sets exit code 1. */
export function runBenchmark(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof BenchUsageError) {
      console.error(`${name}: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(
      `${name} benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  });
}

/**
 * `  ! <contender>: N errors, first: …` and `  ! <contender>: N <misses>` for every
 * contender that had any (`misses(n)` says what a miss is in this benchmark).
 */
export function problemLines(
  results: Array<ContenderResult<ContenderInfo>>,
  misses: (count: number) => string,
): string[] {
  const lines: string[] = [];
  for (const result of results) {
    if (result.errors > 0)
      lines.push(
        `  ! ${result.contender.label}: ${result.errors} errors, first: ${describeError(result.firstError)}`,
      );
    if (result.misses > 0) lines.push(`  ! ${result.contender.label}: ${misses(result.misses)}`);
  }
  return lines;
}
