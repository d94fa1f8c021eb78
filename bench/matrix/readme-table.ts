// The table bench/README.md shows, generated from results/latest.json: one row per comparison
// (or target, or measured reference), formatted exactly as Prettier formats Markdown tables, so
// the README passes `prettier --check` as generated.
import {
  goalText,
  targetOf,
  type CellResult,
  type ContenderSummary,
  type MatrixResults,
  type TargetResult,
} from './results.js';

export const BEGIN_MARKER =
  '<!-- bench-matrix:begin (generated from results/latest.json by `pnpm --filter @rnh/bench run readme`; do not edit) -->';
export const END_MARKER = '<!-- bench-matrix:end -->';

export const HEADERS = [
  'cell',
  'measure',
  'result: median (min–max)',
  'p99 ms (ours / peer)',
  'Redis cmds/op (ours / peer)',
  'target',
  'verdict',
] as const;

type Row = [string, string, string, string, string, string, string];

/** 1234567 -> `1,234,567`, the same everywhere (no locale). */
export function groupDigits(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function ratio(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${value.toFixed(2)}x`;
}

function fixed2(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : value.toFixed(2);
}

function millis(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const calls = fixed2;

function pair(ours: string, peer: string): string {
  return ours === '-' && peer === '-' ? '-' : `${ours} / ${peer}`;
}

function goal(target: TargetResult | undefined): string {
  return target ? goalText(target) : '-';
}

function verdict(target: TargetResult | undefined): string {
  if (!target) return '-';
  return target.note ? `${target.verdict} (${target.note})` : target.verdict;
}

/** An error's first line, at most 120 characters (latest.json has all of it). */
function shorten(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** Table cells may not hold a pipe or a line break. */
function clean(text: string): string {
  return text.replace(/\|/g, '/').replace(/\s+/g, ' ').trim();
}

function cellRows(cell: CellResult): Row[] {
  if (
    cell.status !== 'ok' ||
    (cell.targets.length === 0 && cell.ratios.length === 0 && cell.contenders.length === 0)
  )
    return [[cell.id, '-', `${cell.status}: ${shorten(cell.error ?? cell.note ?? '')}`, '-', '-', '-', '-']];
  const rows: Row[] = [];
  const byId = (id: string | undefined) => cell.contenders.find((c) => c.id === id);
  const judged = new Set<TargetResult>();
  for (const comparison of cell.ratios) {
    const target = targetOf(cell.targets, comparison);
    if (target) judged.add(target);
    const ours = byId(comparison.ours);
    const peer = byId(comparison.peer);
    rows.push([
      cell.id,
      `${comparison.ours} vs ${comparison.peer}${comparison.measure ? `, ${comparison.measure}` : ''}`,
      comparison.median === null
        ? '-'
        : `${ratio(comparison.median)} (${fixed2(comparison.min)}–${fixed2(comparison.max)})`,
      pair(millis(ours?.latencyMs.p99), millis(peer?.latencyMs.p99)),
      pair(calls(ours?.redisCommandsPerOp), calls(peer?.redisCommandsPerOp)),
      goal(target),
      verdict(target),
    ]);
  }
  const described = new Set<ContenderSummary>();
  for (const target of cell.targets) {
    if (judged.has(target)) continue;
    const ours = byId(target.ours);
    if (ours) described.add(ours);
    rows.push([
      cell.id,
      target.ours ? `${target.ours}: ${target.label}` : target.label,
      target.kind === 'ratio' ? ratio(target.value) : String(target.value ?? '-'),
      millis(ours?.latencyMs.p99),
      calls(ours?.redisCommandsPerOp),
      goal(target),
      verdict(target),
    ]);
  }
  if (cell.ratios.length === 0)
    for (const contender of cell.contenders) {
      if (described.has(contender)) continue;
      rows.push([
        cell.id,
        contender.id,
        describeContender(contender),
        millis(contender.latencyMs.p99),
        calls(contender.redisCommandsPerOp),
        '-',
        '-',
      ]);
    }
  return rows;
}

/** A contender judged by no ratio: its rate, or the figure its cell counts. */
function describeContender(contender: ContenderSummary): string {
  const rate = contender.opsPerSec;
  if (rate && rate.median !== null)
    return `${groupDigits(rate.median)}/s (${groupDigits(rate.min ?? 0)}–${groupDigits(rate.max ?? 0)})`;
  const extra = contender.extra ?? {};
  if (extra.loadsPerKeyMedian !== undefined)
    return `${extra.loadsPerKeyMedian} loads/key (${extra.loadsPerKeyMin}–${extra.loadsPerKeyMax})`;
  return '-';
}

/** Display width as Prettier counts it for these tables (no wide or combining characters here). */
function width(text: string): number {
  return [...text].length;
}

/** A Markdown table as Prettier prints it: every column padded to its widest cell, at least 3. */
export function markdownTable(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(3, width(header), ...rows.map((row) => width(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell + ' '.repeat(widths[column]! - width(cell))).join(' | ')} |`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function resultRows(results: MatrixResults): string[][] {
  return results.cells.flatMap((cell) => cellRows(cell).map((row) => row.map(clean)));
}

/** The generated part of the README: a line about the run, and the table. */
export function renderResultsBlock(results: MatrixResults): string {
  const { machine, versions } = results;
  const targets = results.cells.flatMap((cell) => cell.targets);
  const passed = targets.filter((target) => target.verdict === 'PASS').length;
  const about =
    `${results.mode === 'quick' ? 'A `--quick` run' : 'A full run'}` +
    (results.only.length > 0 ? ` (--only=${results.only.join(',')})` : '') +
    ` of ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC at commit \`${versions.commit}\`: ` +
    `${machine.cpuModel}, ${machine.cores} cores, load average ${machine.loadAverage[0]?.toFixed(2) ?? '?'} at the start; ` +
    `Node ${versions.node}, redis-server ${versions.redisServer}; ` +
    `${results.settings.rounds} rounds x ${results.settings.durationMs} ms per contender. ` +
    `${passed} of ${targets.length} targets met.`;
  return [BEGIN_MARKER, '', about, '', markdownTable(HEADERS, resultRows(results)), '', END_MARKER].join(
    '\n',
  );
}

/** The README with its generated block replaced (markers included); an error when the markers are missing. */
export function replaceResultsBlock(readme: string, block: string): string {
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new Error(`the README has no ${BEGIN_MARKER} ... ${END_MARKER} block`);
  return readme.slice(0, begin) + block + readme.slice(end + END_MARKER.length);
}

/** The generated block as it is in the README (markers included), or undefined. */
export function extractResultsBlock(readme: string): string | undefined {
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER);
  return begin < 0 || end < begin ? undefined : readme.slice(begin, end + END_MARKER.length);
}
