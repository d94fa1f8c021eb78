#!/usr/bin/env node
// `npm run test:topologies`: every Redis-backed package's integration suite on each Redis
// topology users deploy (one server, Redis Cluster, Sentinel), then a table of the results.
// The default `npm test` runs the same suites on one server; this adds the other topologies.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWithTurbo, checkFlags, ensureDependencies, ensurePnpm, fail, root, say } from './lib.mjs';
import { ensureRedisServerInstalled } from './redis.mjs';

const TOPOLOGIES = ['standalone', 'cluster', 'sentinel'];
const PACKAGES = ['cache', 'ratelimit', 'sessions', 'queue', 'realtime'];

const USAGE = `Usage: npm run test:topologies -- [--topology a,b] [--package a,b] [--no-faults]

Runs the integration tests (*.int.test.ts) of ${PACKAGES.join(', ')} on each topology, with a
real Redis each test file starts on free loopback ports, and prints per topology and package how
many tests passed, failed and were skipped. Exit code 1 when any failed.

  --topology LIST  ${TOPOLOGIES.join(', ')} (default: cluster,sentinel; npm test runs standalone)
                   cluster: 3 masters; sentinel: a master, a replica and a Sentinel
  --package LIST   packages to run (default: all five)
  --no-faults      skip the fault tests: Redis failing over and processes dying while the api and
                   worker serve users (apps/api/test/faults, a few minutes), run after the matrix

Skipped on cluster and sentinel: tests that stop, freeze or inspect the one standalone server
(their topology's own fault tests cover it), and files that start a topology of their own.`;

const args = process.argv.slice(2);
const { topologies, packages, faults } = parseArgs(args);

const env = ensurePnpm();
await ensureDependencies(env);
ensureRedisServerInstalled();
const builds = [
  ...packages.map((name) => `@rnh/${name}...`),
  ...(faults ? ['@rnh/api...', '@rnh/worker...'] : []),
];
say('Building the packages and apps under test (turbo run build, cached)…');
buildWithTurbo(builds, env);

const reports = mkdtempSync(join(tmpdir(), 'rnh-topologies-'));
const results = [];
const started = Date.now();
const suites = topologies.flatMap((topology) =>
  packages.map((name) => ({
    topology,
    name: `@rnh/${name}`,
    dir: join('packages', name),
    vitestArgs: ['int.test'],
  })),
);
if (faults)
  suites.push({
    topology: 'faults',
    name: '@rnh/api',
    dir: join('apps', 'api'),
    vitestArgs: ['--config', 'vitest.faults.config.ts'],
  });
for (const suite of suites) {
  say(`${suite.topology} · ${suite.name}: running…`);
  const result = await runSuite(suite);
  results.push(result);
  say(`${suite.topology} · ${suite.name}: ${describe(result)} (${result.seconds} s)`);
}
rmSync(reports, { recursive: true, force: true });
printTable(results);
const failed = results.filter((result) => !result.ok);
const seconds = Math.round((Date.now() - started) / 1000);
if (failed.length > 0)
  fail(
    `Topology tests failed after ${seconds} s: ${failed.map(({ topology, name }) => `${topology} · ${name}`).join(', ')}. ` +
      'Rerun one with: TEST_REDIS_TOPOLOGY=<topology> pnpm --filter @rnh/<package> exec vitest run int.test ' +
      '(the fault tests: pnpm --filter @rnh/api exec vitest run --config vitest.faults.config.ts)',
  );
say(`Every topology passed in ${seconds} s.`);

function parseArgs(argv) {
  const chosen = { topologies: ['cluster', 'sentinel'], packages: PACKAGES, faults: true };
  const flags = [];
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--topology' || flag === '--package') {
      const value = inline ?? argv[(i += 1)];
      const allowed = flag === '--topology' ? TOPOLOGIES : PACKAGES;
      const list = (value ?? '').split(',').filter(Boolean);
      const wrong = list.find((item) => !allowed.includes(item));
      if (list.length === 0 || wrong !== undefined)
        fail(`test-topologies: ${flag} takes a comma-separated list of ${allowed.join(', ')}`, 2);
      chosen[flag === '--topology' ? 'topologies' : 'packages'] = list;
    } else if (argv[i] === '--no-faults') chosen.faults = false;
    else flags.push(argv[i]);
  }
  checkFlags('test-topologies', flags, USAGE);
  return chosen;
}

/** One suite (a package's integration tests on one topology, or the fault tests); vitest's JSON report gives the counts. */
function runSuite({ topology, name, dir, vitestArgs }) {
  const outputFile = join(reports, `${topology}-${name.replace(/\W/g, '-')}.json`);
  const suiteStarted = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      'pnpm',
      [
        'exec',
        'vitest',
        'run',
        ...vitestArgs,
        '--reporter=dot',
        '--reporter=json',
        `--outputFile.json=${outputFile}`,
      ],
      {
        cwd: join(root, dir),
        env: topology === 'faults' ? env : { ...env, TEST_REDIS_TOPOLOGY: topology },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.on('exit', (code) => {
      const seconds = Math.round((Date.now() - suiteStarted) / 1000);
      const counts = readCounts(outputFile);
      resolve({ topology, name, seconds, ...counts, ok: code === 0 && counts.failed === 0 });
    });
  });
}

function readCounts(file) {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    return {
      passed: report.numPassedTests,
      failed: report.numFailedTests,
      skipped: report.numPendingTests + report.numTodoTests,
      reported: true,
    };
  } catch {
    return { passed: 0, failed: 0, skipped: 0, reported: false };
  }
}

function describe({ passed, failed, skipped, reported, ok }) {
  if (!reported) return 'no report (vitest did not finish; see its output above)';
  return `${passed} passed, ${failed} failed, ${skipped} skipped${ok ? '' : ' — FAILED'}`;
}

function printTable(rows) {
  const header = ['topology', 'package', 'passed', 'failed', 'skipped', 'seconds'];
  const lines = rows.map((row) => [
    row.topology,
    row.name,
    row.reported ? String(row.passed) : '-',
    row.reported ? String(row.failed) : '-',
    row.reported ? String(row.skipped) : '-',
    String(row.seconds),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column].length)),
  );
  const format = (cells) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  process.stdout.write(`\nIntegration tests per Redis topology, and the fault tests\n${format(header)}\n`);
  process.stdout.write(`${widths.map((width) => '-'.repeat(width)).join('  ')}\n`);
  for (const line of lines) process.stdout.write(`${format(line)}\n`);
  process.stdout.write('\n');
}
