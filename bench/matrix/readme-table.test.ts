import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import {
  BEGIN_MARKER,
  END_MARKER,
  extractResultsBlock,
  groupDigits,
  HEADERS,
  markdownTable,
  renderResultsBlock,
  replaceResultsBlock,
} from './readme-table.js';
import { fixtureResults } from './readme-table.fixture.js';
import type { MatrixResults } from './results.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const LATEST = fileURLToPath(new URL('../results/latest.json', import.meta.url));

/** The same data with every object's keys in reverse order (as another writer might put them). */
function reordered<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reordered) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, inner]) => [key, reordered(inner)]),
    ) as T;
  return value;
}

function tableLines(block: string): string[] {
  return block.split('\n').filter((line) => line.startsWith('|'));
}

function columns(line: string): string[] {
  return line
    .slice(1, -1)
    .split(' | ')
    .map((cell) => cell.trim());
}

describe('renderResultsBlock', () => {
  it('shows one row per comparison, target and reference, and why a cell did not run', () => {
    const rows = tableLines(renderResultsBlock(fixtureResults())).slice(2).map(columns);
    expect(rows).toEqual([
      [
        'cache/l2/4kb/1k/uniform',
        'rnh-l2 vs raw-ioredis',
        '1.30x (1.21–1.40)',
        '0.91 / 1.20',
        '0.05 / 1.00',
        '>= 1.0x',
        'PASS',
      ],
      [
        'cache/l2/4kb/1k/uniform',
        'rnh-l2 vs cache-manager',
        '2.60x (2.50–2.70)',
        '0.91 / 2.50',
        '0.05 / 1.00',
        '-',
        '-',
      ],
      ['cache/stampede/2proc', 'rnh: loads each cold key exactly once', '1', '-', '0.50', '= 1', 'PASS'],
      ['cache/stampede/2proc', 'raw-ioredis', '20 loads/key (18–20)', '-', '2.00', '-', '-'],
      // A cell of fixed-work trials has rates and ratios, and no per-operation latency.
      [
        'queue/process/c50/traced',
        'rnh vs bullmq-otel',
        '0.98x (0.90–1.05)',
        '-',
        '29.00 / 29.00',
        '>= 1.0x',
        'FAIL',
      ],
      [
        'ceiling/redis-benchmark',
        'redis-benchmark-get',
        '81,235/s (73,111–89,358)',
        '0.60',
        '1.00',
        '-',
        '-',
      ],
      [
        'cache/l2/64kb/100k/uniform',
        '-',
        'skipped: 6.1 GiB of values per contender: more than this machine should hold',
        '-',
        '-',
        '-',
        '-',
      ],
      // A pipe inside a cell would split it: it is replaced.
      ['api/cached', '-', 'error: Error: process exited / code 1', '-', '-', '-', '-'],
    ]);
  });

  it('says what run the table comes from', () => {
    expect(renderResultsBlock(fixtureResults())).toContain(
      'A full run of 2026-12-01 10:20 UTC at commit `abc1234`: AMD EPYC, 2 cores, load average 0.52 at the start; ' +
        'Node v20.20.2, redis-server 7.0.15; 5 rounds x 1000 ms per contender. 2 of 3 targets met.',
    );
    const quick: MatrixResults = { ...fixtureResults(), mode: 'quick', only: ['cache'] };
    expect(renderResultsBlock(quick)).toContain('A `--quick` run (--only=cache) of 2026-12-01 10:20 UTC');
  });

  it('is deterministic: the same results give the same text, whatever the order of their keys', () => {
    const results = fixtureResults();
    const first = renderResultsBlock(results);
    expect(renderResultsBlock(fixtureResults())).toBe(first);
    expect(renderResultsBlock(JSON.parse(JSON.stringify(results)) as MatrixResults)).toBe(first);
    expect(renderResultsBlock(reordered(results))).toBe(first);
  });

  it('prints the table exactly as Prettier formats Markdown, so the README passes prettier --check', async () => {
    const block = renderResultsBlock(fixtureResults());
    const options = (await prettier.resolveConfig(README)) ?? {};
    expect(await prettier.format(block, { ...options, parser: 'markdown' })).toBe(`${block}\n`);
  });
});

describe('markdownTable', () => {
  it('pads every column to its widest cell, at least three wide', () => {
    expect(markdownTable(['a', 'bb'], [['xxxx', 'y']])).toBe(
      ['| a    | bb  |', '| ---- | --- |', '| xxxx | y   |'].join('\n'),
    );
  });
});

describe('groupDigits', () => {
  it('groups thousands without depending on the locale', () => {
    expect([0, 999, 1000, 1_234_567.6].map(groupDigits)).toEqual(['0', '999', '1,000', '1,234,568']);
  });
});

describe('replaceResultsBlock', () => {
  const readme = `# Title\n\nBefore.\n\n${BEGIN_MARKER}\nold table\n${END_MARKER}\n\nAfter.\n`;

  it('replaces what is between the markers and nothing else', () => {
    const block = renderResultsBlock(fixtureResults());
    const updated = replaceResultsBlock(readme, block);
    expect(updated.startsWith('# Title\n\nBefore.\n\n')).toBe(true);
    expect(updated.endsWith('\n\nAfter.\n')).toBe(true);
    expect(extractResultsBlock(updated)).toBe(block);
    expect(replaceResultsBlock(updated, block)).toBe(updated);
  });

  it('refuses a README without the markers', () => {
    expect(() => replaceResultsBlock('# Title\n', 'x')).toThrow(/no <!-- bench-matrix:begin/);
  });
});

describe('bench/README.md', () => {
  const readme = readFileSync(README, 'utf8');
  const latest = JSON.parse(readFileSync(LATEST, 'utf8')) as MatrixResults;
  const committed = extractResultsBlock(readme);
  const generated = renderResultsBlock(latest);

  it('has the generated block', () => {
    expect(committed).toBeDefined();
  });

  it("has a table in the generator's format for results/latest.json (its numbers may be older)", () => {
    const readmeLines = tableLines(committed!);
    const generatedLines = tableLines(generated);
    expect(columns(readmeLines[0]!)).toEqual(columns(generatedLines[0]!));
    expect(columns(readmeLines[0]!)).toEqual([...HEADERS]);
    expect(readmeLines[1]).toMatch(/^\|( -{3,} \|)+$/);
    expect(readmeLines.length).toBeGreaterThan(2);
    for (const line of readmeLines) expect(columns(line)).toHaveLength(HEADERS.length);
    // Every row names a cell the way latest.json does.
    const sections = new Set(latest.cells.map((cell) => cell.section));
    for (const line of readmeLines.slice(2)) expect(sections).toContain(columns(line)[0]!.split('/')[0]);
  });
});
