#!/usr/bin/env node
// `npm start` and `npm test`: the two commands of the Quick start. Each makes sure
// the tools are there (pnpm at the pinned version, dependencies, redis-server),
// then hands over to Turborepo.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandExists, dataDir, ensurePnpm, fail, run, say } from './lib.mjs';
import { ensureRedisServerInstalled, ensureRedisRunning } from './redis.mjs';

const command = process.argv[2];
if (command !== 'start' && command !== 'test') fail('usage: node scripts/run.mjs start|test', 2);

const started = Date.now();
const env = ensurePnpm();

say('Installing dependencies (pnpm install --frozen-lockfile)…');
if ((await run('pnpm', ['install', '--frozen-lockfile', '--reporter=silent'], { env })) !== 0) {
  fail('pnpm install failed; see the output above.');
}

if (command === 'test') {
  // As root on Debian, install and start what the tests need (redis-server, PostgreSQL).
  if (process.getuid?.() === 0 && commandExists('apt-get')) {
    if ((await run('scripts/prerequisites.sh', [], { env })) !== 0)
      fail('Installing the test prerequisites failed; see above.');
  }
  ensureRedisServerInstalled();
  Object.assign(env, readTestEnv());
  say('Lint, typecheck and every test (turbo run lint typecheck test)…');
  const code = await run(
    'pnpm',
    ['exec', 'turbo', 'run', 'lint', 'typecheck', 'test', '--output-logs=errors-only'],
    { env },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  if (code !== 0)
    fail(
      `Tests failed after ${seconds} s. Run "pnpm exec turbo run test --filter=<package>" to see one package's output.`,
      code,
    );
  say(`All checks passed in ${seconds} s.`);
} else {
  await ensureRedisRunning(env);
  say('Building and starting api and worker (turbo run start)…');
  const code = await run(
    'pnpm',
    ['exec', 'turbo', 'run', 'start', '--filter=@rnh/api', '--filter=@rnh/worker'],
    { env },
  );
  process.exit(code);
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
