#!/usr/bin/env node
// `npm start` and `npm test`, the two commands of the Quick start, and `npm run test:consumer`.
// Each makes sure the tools are there (pnpm at the pinned version, dependencies, redis-server),
// then builds with Turborepo; `start` runs the two apps itself, the tests hand over to turbo.
// package.json starts it with `exec`: npm's shell then does not stay in between, and a Ctrl-C
// that stopped everything cleanly ends npm with this script's exit code (0), not as killed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp } from './apps.mjs';
import {
  buildWithTurbo,
  checkFlags,
  commandExists,
  dataDir,
  ensurePnpm,
  fail,
  forwardStopSignals,
  run,
  say,
} from './lib.mjs';
import { ensureRedisServerInstalled, ensureRedisRunning } from './redis.mjs';

const USAGE = `Usage: node scripts/run.mjs start|test|test:consumer   (npm start, npm test, npm run test:consumer)

  start          install what is missing (pnpm, dependencies), start Redis if needed, build with turbo,
                 then run the api and the worker until Ctrl-C, which stops both gracefully
  test           install what is missing, then lint, typecheck and the tests (turbo run lint typecheck test)
  test:consumer  install what is missing, then test the published packages as a project outside this
                 repository gets them: packed, installed with npm next to ioredis 5 and 6 (from the npm
                 registry), their README examples compiled and run (a few minutes; turbo run test:consumer)`;

/** What each test command has turbo run, what it says it does, and where to look when it fails. */
const TEST_TASKS = {
  test: {
    tasks: ['lint', 'typecheck', 'test'],
    what: 'Lint, typecheck and the tests',
    rerun: ['pnpm exec turbo run test --filter=<package>', "one package's output"],
  },
  'test:consumer': {
    tasks: ['test:consumer'],
    what: 'The published packages as an outside project installs them',
    rerun: ['pnpm --filter @rnh/e2e test:consumer', 'its whole output'],
  },
};
const isTest = (name) => Object.hasOwn(TEST_TASKS, name);

const [command, ...rest] = process.argv.slice(2);
if (command === undefined) fail('run.mjs: start, test or test:consumer? (see --help)', 2);
if (command.startsWith('-')) checkFlags('run.mjs', [command], USAGE);
if (command !== 'start' && !isTest(command))
  fail(`run.mjs: unknown command ${JSON.stringify(command)} (see --help)`, 2);
checkFlags(`run.mjs ${command}`, rest, USAGE);

const started = Date.now();
const env = ensurePnpm();

say('Installing dependencies (pnpm install --frozen-lockfile)…');
if ((await run('pnpm', ['install', '--frozen-lockfile', '--reporter=silent'], { env })) !== 0) {
  fail('pnpm install failed; see the output above.');
}

if (isTest(command)) {
  const { tasks, what, rerun } = TEST_TASKS[command];
  const [rerunCommand, itShows] = rerun;
  // As root on Debian, install and start what the tests need (redis-server, PostgreSQL,
  // Prometheus, Alertmanager, redis_exporter, HAProxy).
  if (process.getuid?.() === 0 && commandExists('apt-get')) {
    if ((await run('scripts/prerequisites.sh', [], { env })) !== 0)
      fail('Installing the test prerequisites failed; see above.');
  }
  ensureRedisServerInstalled();
  Object.assign(env, readTestEnv());
  say(`${what} (turbo run ${tasks.join(' ')})…`);
  const code = await run('pnpm', ['exec', 'turbo', 'run', ...tasks, '--output-logs=errors-only'], { env });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (code !== 0) fail(`Tests failed after ${seconds} s. Run "${rerunCommand}" to see ${itShows}.`, code);
  say(`All checks passed in ${seconds} s.`);
} else {
  await ensureRedisRunning(env);
  say('Building api, worker and the packages they use (turbo run build, cached)…');
  buildWithTurbo(['@rnh/api...', '@rnh/worker...'], env);
  process.exit(await runApps(['api', 'worker'], env));
}

/**
 * Runs the apps until a signal (Ctrl-C) or until one of them exits, then stops the others
 * with the same signal and waits for all. Exit code 0 when every app stopped cleanly.
 */
async function runApps(names, env) {
  say(`Starting ${names.join(' and ')} (Ctrl-C stops them)…`);
  const width = Math.max(...names.map((name) => name.length));
  const apps = names.map((name) => startApp(name, env, width));
  let stopping = false;
  // The first stop asks each app to shut down gracefully; a second Ctrl-C kills them.
  const stopAll = (signal, reason) => {
    say(stopping ? 'Stopping now (SIGKILL)…' : reason);
    for (const app of apps) app.stop(stopping ? 'SIGKILL' : signal);
    stopping = true;
  };
  const signals = forwardStopSignals((signal) =>
    stopAll(signal, `${signal}: stopping ${names.join(' and ')}…`),
  );
  const results = await Promise.all(
    apps.map(async (app) => {
      const result = await app.exited;
      if (!stopping)
        stopAll(
          'SIGTERM',
          `${app.name} exited (${result.signal ?? `code ${result.code}`}); stopping the others…`,
        );
      return { ...result, name: app.name };
    }),
  );
  signals.remove();
  const failed = results.filter((result) => result.code !== 0);
  for (const result of failed)
    say(`${result.name} ended with ${result.signal ?? `exit code ${result.code}`}.`);
  if (failed.length === 0) say(`${names.join(' and ')} stopped.`);
  return failed.length === 0 ? 0 : (failed[0].code ?? 1);
}

/** Settings the prerequisites script left for the tests (e.g. DATABASE_TEST_URL on a fresh PostgreSQL). */
function readTestEnv() {
  const file = join(dataDir, 'test-env');
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
