// Benchmarks that keep their own script (queue.ts): the matrix runs the script as it is, shows
// its output, and turns each of its target lines into a cell.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { CellGroup, CellInfo, Context } from '../cell.js';
import { failedCell, jsonNumber, skippedCell, type CellResult } from '../results.js';
import { parseTargetDetail, slugOf } from '../script-output.js';

const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Settings for a short run, as BENCH_* variables: a script ignores the ones it does not have,
 * so they stay valid while the scripts change.
 */
const QUICK_ENV: Record<string, string> = {
  BENCH_ROUNDS: '1',
  BENCH_DURATION_MS: '500',
  BENCH_WARMUP_MS: '200',
  BENCH_JOBS: '2000',
  BENCH_WARMUP_JOBS: '200',
};

interface ScriptRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: string[];
}

function runScript(file: string, env: Record<string, string>, context: Context): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: BENCH_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        context.progress(`| ${line}`);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) context.progress(`| ${line.trim()}`);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (partial) lines.push(partial);
      resolve({ code, signal, lines });
    });
  });
}

function scriptGroup(name: string, title: string, quick: boolean): CellGroup {
  const file = fileURLToPath(new URL(`../../${name}.ts`, import.meta.url));
  const cell: CellInfo = { id: name, section: name, title, params: { script: `bench/${name}.ts` }, quick };
  return {
    cells: [cell],
    async run(_selected, context) {
      context.begin(cell);
      if (!existsSync(file)) {
        context.done(skippedCell(cell, `bench/${name}.ts does not exist in this checkout`));
        return;
      }
      const started = performance.now();
      const env = context.quick ? QUICK_ENV : {};
      const outcome = await runScript(file, env, context);
      const seconds = jsonNumber((performance.now() - started) / 1000) ?? 0;
      if (outcome.code !== 0) {
        context.done(
          failedCell(
            cell,
            new Error(`bench/${name}.ts exited with ${outcome.signal ?? `code ${outcome.code}`}`),
            seconds,
          ),
        );
        return;
      }
      const targets = outcome.lines.flatMap((line) => parseTargetDetail(line) ?? []);
      if (targets.length === 0) {
        context.done({
          ...skippedCell(
            cell,
            `bench/${name}.ts ran, but printed no target line the matrix can read (its output is above)`,
          ),
          status: 'ok',
          seconds,
        });
        return;
      }
      const used = new Set<string>();
      targets.forEach((target, index) => {
        let id = `${name}/${slugOf(target.label)}`;
        if (used.has(id)) id = `${id}-${index + 1}`;
        used.add(id);
        const result: CellResult = {
          id,
          section: name,
          title: `${target.label} (from bench/${name}.ts, its own rounds and medians)`,
          params: {
            script: `bench/${name}.ts`,
            ...(context.quick
              ? {
                  env: Object.entries(env)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' '),
                }
              : {}),
          },
          status: 'ok',
          contenders: [],
          ratios: [],
          targets: [target],
          seconds: index === 0 ? seconds : 0,
        };
        context.done(result);
      });
    },
  };
}

export function scriptGroups(): CellGroup[] {
  return [scriptGroup('queue', 'bench/queue.ts: @rnh/queue add and process against raw BullMQ', true)];
}
