// `npm run bench`: the workload matrix. Every cell runs ours and each peer in the same run, in
// interleaved rounds, and judges its targets on the median of the paired ratios; the results go
// to results/latest.json. See README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BenchUsageError } from './lib/options.js';
import { startTracing } from './lib/tracing.js';
import { matchesCell, parseMatrixArgs, USAGE, type MatrixArgs } from './matrix/args.js';
import type { CellGroup, CellInfo, Context } from './matrix/cell.js';
import { commit, machine, packageVersions } from './matrix/environment.js';
import { cellReport, summary } from './matrix/print.js';
import { failedCell, type CellResult, type MatrixResults } from './matrix/results.js';
import { apiGroup } from './matrix/sections/api.js';
import { cacheGroups } from './matrix/sections/cache.js';
import { ceilingGroups } from './matrix/sections/ceilings.js';
import { ratelimitHttpGroup } from './matrix/sections/ratelimit-http.js';
import { queueGroups } from './matrix/sections/queue.js';
import { ratelimitGroups } from './matrix/sections/ratelimit.js';
import { realtimeGroup } from './matrix/sections/realtime.js';
import { sessionsGroup } from './matrix/sections/sessions.js';
import { stampedeGroups } from './matrix/sections/stampede.js';

const RESULTS_PATH = fileURLToPath(new URL('./results/latest.json', import.meta.url));

/** Every cell, in the order a full run takes them. */
function allGroups(): CellGroup[] {
  return [
    ...ceilingGroups(),
    ...cacheGroups(),
    ...stampedeGroups(),
    ...ratelimitGroups(),
    ratelimitHttpGroup(),
    sessionsGroup(),
    ...queueGroups(),
    realtimeGroup(),
    apiGroup(),
  ];
}

function selected(group: CellGroup, args: MatrixArgs): CellInfo[] {
  return group.cells.filter((cell) => (!args.quick || cell.quick) && matchesCell(cell.id, args.only));
}

function parseArgsOrExit(argv: string[]): MatrixArgs {
  try {
    return parseMatrixArgs(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`bench: ${error.message}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const args = parseArgsOrExit(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const groups = allGroups();
  const plan = groups
    .map((group) => ({ group, cells: selected(group, args) }))
    .filter((entry) => entry.cells.length > 0);
  if (args.list) {
    for (const group of groups)
      for (const cell of group.cells)
        console.log(`${cell.quick ? '*' : ' '} ${cell.id.padEnd(34)} ${cell.title}`);
    console.log('\n* part of --quick');
    return;
  }
  const total = plan.reduce((sum, entry) => sum + entry.cells.length, 0);
  if (total === 0) {
    console.error(
      `bench: --only=${args.only.join(',')} matches no cell${args.quick ? ' of --quick' : ''} (see --list)`,
    );
    process.exit(2);
  }

  const started = performance.now();
  const startedAt = new Date().toISOString();
  const machineAtStart = machine();
  const cells: CellResult[] = [];
  const begun = new Set<string>();
  let cellStarted = performance.now();
  let timing = false;
  const context: Context = {
    settings: args.settings,
    quick: args.quick,
    ...(args.clients !== undefined ? { clients: args.clients } : {}),
    redisVersions: new Set(),
    begin(cell) {
      begun.add(cell.id);
      timing = true;
      cellStarted = performance.now();
      console.log(`\n[${begun.size}/${total}] ${cell.id}: ${cell.title}`);
    },
    done(result) {
      cells.push(result);
      console.log(cellReport(result));
      if (timing) console.log(`  (${((performance.now() - cellStarted) / 1000).toFixed(0)} s)`);
      timing = false;
    },
    progress(line) {
      process.stderr.write(`  .. ${line}\n`);
    },
  };

  console.log(
    `Workload matrix (${args.quick ? 'quick' : 'full'}${args.only.length > 0 ? `, --only=${args.only.join(',')}` : ''}): ` +
      `${total} cells, ${args.settings.rounds} rounds x ${args.settings.durationMs} ms per contender, ` +
      `${args.settings.warmupMs} ms warm-up`,
  );
  console.log(
    `  ${machineAtStart.cpuModel}, ${machineAtStart.cores} cores, load average ${machineAtStart.loadAverage.join(' ')}; ` +
      `node ${process.version}`,
  );
  console.log(
    '  ours with metrics and tracing on (every span exported to an in-process discarding exporter)',
  );

  // Tracing as the apps have it, process-wide: every contender pays the context manager alike.
  const tracing = startTracing();
  try {
    for (const { group, cells: chosen } of plan) {
      const before = cells.length;
      try {
        await group.run(chosen, context);
      } catch (error) {
        // The run goes on with the next group; the cells this one did not finish are failures.
        const finished = new Set(cells.slice(before).map((cell) => cell.id));
        for (const cell of chosen)
          if (!finished.has(cell.id)) {
            if (!begun.has(cell.id)) context.begin(cell);
            context.done(failedCell(cell, error, (performance.now() - cellStarted) / 1000));
          }
      }
    }
  } finally {
    await tracing.shutdown();
  }

  const results: MatrixResults = {
    schema: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    only: args.only,
    settings: args.settings,
    machine: machineAtStart,
    versions: {
      node: process.version,
      redisServer: [...context.redisVersions].join(', ') || 'not started',
      commit: commit(),
      packages: packageVersions(),
    },
    cells,
  };
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
  console.log(summary(results, (performance.now() - started) / 1000, 'bench/results/latest.json'));
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
