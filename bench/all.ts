// Runs every benchmark one after another (never two at once: they would disturb each other),
// passes the arguments on, and ends with every target line of every run. See README.md.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BenchUsageError, parseOptions, USAGE as OPTIONS_USAGE } from './lib/options.js';
import { parseTargetLine } from './lib/report.js';

const BENCHMARKS = ['cache', 'ratelimit', 'queue'] as const;

const USAGE = `Usage: npm run bench [-- options]

Runs the cache, ratelimit and queue benchmarks one after another (about 5 minutes) and ends
with every target line. The options are passed to each benchmark; settings of one benchmark
go in its BENCH_* environment variables (see bench/README.md).

${OPTIONS_USAGE}`;

interface Run {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  targets: Array<{ text: string; passed: boolean }>;
  seconds: number;
}

/** Runs `<name>.ts` with this Node and tsx, its output shown as it comes and its target lines collected. */
function run(name: string, args: string[]): Promise<Run> {
  const started = Date.now();
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const targets: Run['targets'] = [];
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      process.stdout.write(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const target = parseTargetLine(line);
        if (target) targets.push(target);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const target = parseTargetLine(partial);
      if (target) targets.push(target);
      resolve({ name, code, signal, targets, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** Checks the arguments once, before any benchmark starts: --help, or one line and exit code 2. */
function checkArgs(args: string[]): void {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  try {
    parseOptions(args, {});
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`bench: ${error.message}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  checkArgs(args);
  const started = Date.now();
  const runs: Run[] = [];
  // Ctrl-C reaches the running benchmark too (same process group); it stops its redis-server itself.
  process.on('SIGINT', () => undefined);
  for (const name of BENCHMARKS) {
    console.log(`\n=== ${name} (${`pnpm --filter @rnh/bench run ${name} ${args.join(' ')}`.trim()}) ===\n`);
    runs.push(await run(name, args));
  }

  console.log('\n=== Summary: every target ===\n');
  let failedToRun = false;
  for (const result of runs) {
    const status =
      result.code === 0
        ? `ran in ${result.seconds.toFixed(0)} s`
        : `FAILED TO RUN (${result.signal ?? `exit code ${result.code}`})`;
    if (result.code !== 0) failedToRun = true;
    console.log(`${result.name}: ${status}`);
    if (result.targets.length === 0) console.log('  (no target lines)');
    for (const target of result.targets) console.log(`  ${target.text}`);
  }
  const all = runs.flatMap((result) => result.targets);
  const passed = all.filter((target) => target.passed).length;
  console.log('');
  console.log(
    `${passed} of ${all.length} targets met; all benchmarks took ${((Date.now() - started) / 1000).toFixed(0)} s ` +
      `(${new Date().toISOString()}).`,
  );
  // A report, not a gate: 0 unless a benchmark could not run.
  process.exitCode = failedToRun ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(
    `bench/all failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
});
