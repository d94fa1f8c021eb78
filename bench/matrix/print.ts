// What the matrix prints: a block per cell as it finishes, and the summary at the end.
import { table } from '../lib/report.js';
import { groupDigits } from './readme-table.js';
import { goalText, targetOf, type CellResult, type MatrixResults, type TargetResult } from './results.js';

const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined ? '-' : value.toFixed(digits);

export function targetText(target: TargetResult): string {
  const goal = `target ${goalText(target)}`;
  const value =
    target.value === null
      ? 'not measured'
      : target.kind === 'ratio'
        ? `${target.value.toFixed(2)}x`
        : String(target.value);
  return `${target.label}: ${value} (${goal}) ${target.verdict}${target.note ? ` (${target.note})` : ''}`;
}

export function cellReport(cell: CellResult): string {
  const lines: string[] = [];
  if (cell.status === 'skipped') return `  skipped: ${cell.note}`;
  if (cell.status === 'error') return `  FAILED TO RUN: ${cell.error}`;
  if (cell.contenders.length > 0) {
    const rows = cell.contenders.map((c) => [
      `${c.id} [${c.role}]`,
      c.opsPerSec?.median != null ? groupDigits(c.opsPerSec.median) : '-',
      c.opsPerSec?.min != null
        ? `${groupDigits(c.opsPerSec.min)}..${groupDigits(c.opsPerSec.max ?? 0)}`
        : '-',
      fixed(c.latencyMs.p99, 2),
      fixed(c.redisCommandsPerOp, 2),
      fixed(c.nodeCpuMicrosPerOp, 1),
      fixed(c.redisCpuMicrosPerOp, 1),
      c.errors > 0 || c.misses > 0 ? `${c.errors} errors, ${c.misses} misses` : 'ok',
    ]);
    const headers = [
      'contender',
      'ops/s',
      'min..max',
      'p99 ms',
      'cmds/op',
      'node µs/op',
      'redis µs/op',
      'check',
    ];
    lines.push(
      ...table(headers, rows, new Set([1, 2, 3, 4, 5, 6]))
        .split('\n')
        .map((line) => `  ${line}`),
    );
    for (const c of cell.contenders)
      if (c.extra && Object.keys(c.extra).length > 0)
        lines.push(
          `  ${c.id}: ${Object.entries(c.extra)
            .map(([name, value]) => `${name}=${value}`)
            .join(', ')}`,
        );
  }
  for (const ratio of cell.ratios) {
    const target = targetOf(cell.targets, ratio);
    const spread =
      ratio.median === null
        ? 'not measured'
        : `${fixed(ratio.median, 2)}x (${fixed(ratio.min, 2)}-${fixed(ratio.max, 2)})`;
    lines.push(
      `  ${ratio.ours} / ${ratio.peer}${ratio.measure ? ` (${ratio.measure})` : ''}: ${spread}${target ? `  target ${goalText(target)} ${target.verdict}${target.note ? ` (${target.note})` : ''}` : ''}`,
    );
  }
  for (const target of cell.targets)
    if (!cell.ratios.some((r) => targetOf([target], r))) lines.push(`  ${targetText(target)}`);
  if (cell.note) lines.push(`  note: ${cell.note}`);
  return lines.join('\n');
}

export function summary(results: MatrixResults, seconds: number, resultsPath: string): string {
  const lines = ['', '=== Summary: every target ===', ''];
  for (const cell of results.cells) {
    if (cell.status !== 'ok') {
      lines.push(`  ${cell.status === 'skipped' ? 'SKIP' : 'ERR '}  ${cell.id}: ${cell.note ?? cell.error}`);
      continue;
    }
    for (const target of cell.targets)
      lines.push(`  ${target.verdict}  ${cell.id}: ${targetText(target).replace(/ (PASS|FAIL)(?= |$)/, '')}`);
  }
  const targets = results.cells.flatMap((cell) => cell.targets);
  const count = (status: CellResult['status']) =>
    results.cells.filter((cell) => cell.status === status).length;
  lines.push(
    '',
    `${targets.filter((t) => t.verdict === 'PASS').length} of ${targets.length} targets met; ` +
      `${count('ok')} cells ran, ${count('skipped')} skipped, ${count('error')} failed to run; ` +
      `${(seconds / 60).toFixed(1)} min (${results.finishedAt}).`,
    `Results: ${resultsPath} (pnpm --filter @rnh/bench run readme puts them in bench/README.md)`,
  );
  return lines.join('\n');
}
