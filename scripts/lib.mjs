// Small helpers shared by the root scripts (plain Node, no dependencies: they run before `pnpm install`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const dataDir = join(root, '.data');

export function say(message) {
  process.stdout.write(`\u001b[36m▸\u001b[0m ${message}\n`);
}

export function fail(message, code = 1) {
  process.stderr.write(`\u001b[31m✗\u001b[0m ${message}\n`);
  process.exit(code);
}

/**
 * Handles `--help` and rejects unknown flags the same way in every root script:
 * prints `usage` and exits 0 on --help/-h, or one line and exit code 2 on anything
 * in `args` that is not in `known`. Returns the flags that were given.
 */
export function checkFlags(script, args, usage, known = []) {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const unknown = args.find((arg) => !known.includes(arg));
  if (unknown !== undefined) fail(`${script}: unknown option ${JSON.stringify(unknown)} (see --help)`, 2);
  return new Set(args);
}

export function commandExists(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command with inherited output; resolves with its exit code. */
export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', cwd: root, ...options });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/** The pnpm version pinned in package.json's `packageManager`. */
export function pinnedPnpmVersion() {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return manifest.packageManager.replace(/^pnpm@/, '').split('+')[0];
}

/**
 * Makes the pinned pnpm available on PATH. Uses a global pnpm when it is the
 * pinned version; otherwise installs it under .data/tools with npm (corepack's
 * signature check fails for current pnpm releases, and a global install may
 * need root). Returns the environment to run further commands with.
 */
export function ensurePnpm() {
  const version = pinnedPnpmVersion();
  const localBin = join(dataDir, 'tools', 'node_modules', '.bin');
  const env = {
    ...process.env,
    PATH: `${localBin}:${join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
  };
  const current = spawnSync('pnpm', ['--version'], { env, encoding: 'utf8' });
  if (current.status === 0 && current.stdout.trim() === version) return env;

  say(`Installing pnpm ${version} into .data/tools (one time)…`);
  mkdirSync(join(dataDir, 'tools'), { recursive: true });
  const install = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      join(dataDir, 'tools'),
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `pnpm@${version}`,
    ],
    { stdio: 'inherit' },
  );
  if (install.status !== 0 || !existsSync(join(localBin, 'pnpm')))
    fail(`Could not install pnpm ${version} with npm.`);
  return env;
}

/** Installs the workspace's dependencies when node_modules is missing or older than the lockfile. */
export async function ensureDependencies(env) {
  const installed = join(root, 'node_modules', '.pnpm', 'lock.yaml');
  const lockfile = join(root, 'pnpm-lock.yaml');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lockfile).mtimeMs) return;
  say('Installing dependencies (pnpm install --frozen-lockfile)…');
  if ((await run('pnpm', ['install', '--frozen-lockfile', '--reporter=silent'], { env })) !== 0)
    fail('pnpm install failed; see the output above.');
}

/**
 * Builds the named workspace packages and what they depend on with turbo (cached: unchanged
 * packages are not rebuilt). Shows turbo's output only when the build fails.
 */
export function buildWithTurbo(filters, env) {
  if (alreadyBuilt(filters, env)) return;
  const build = spawnSync(
    'pnpm',
    [
      'exec',
      'turbo',
      'run',
      'build',
      ...filters.map((filter) => `--filter=${filter}`),
      '--output-logs=errors-only',
    ],
    { cwd: root, env, encoding: 'utf8' },
  );
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
    fail(
      `The build failed (turbo run build ${filters.map((filter) => `--filter=${filter}`).join(' ')}); see above.`,
    );
  }
}

/**
 * True when every build turbo would run is a cache hit and its outputs are on disk: nothing to
 * do. Not running turbo then matters: a cache hit restores the outputs by rewriting the files in
 * place, and an app of this checkout starting meanwhile (`npm start`, a test) could read one
 * half-written. With TURBO_FORCE set, turbo reports no hits, and the build runs.
 */
function alreadyBuilt(filters, env) {
  const dry = spawnSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', ...filters.map((filter) => `--filter=${filter}`), '--dry=json'],
    { cwd: root, env, encoding: 'utf8' },
  );
  if (dry.status !== 0) return false;
  let tasks;
  try {
    tasks = JSON.parse(dry.stdout).tasks;
  } catch {
    return false;
  }
  return tasks
    .filter((task) => task.command !== '<NONEXISTENT>')
    .every(
      (task) =>
        task.cache?.status === 'HIT' &&
        task.outputs.every((output) => existsSync(join(root, task.directory, output.replace(/\/\*\*$/, '')))),
    );
}

/**
 * Starts a command in a process group of its own and passes SIGINT and SIGTERM on to that
 * group once. Why its own group: a terminal's Ctrl-C reaches every process of the foreground
 * group and npm passes it on to its script as well, so a child in our group would get it twice,
 * and Node apps and turbo take a second SIGINT as "quit now" (no graceful shutdown). A signal
 * within a second of the last one is that echo and is dropped; a later one (a second Ctrl-C) is
 * passed on. Resolves with the child's exit code.
 */
export function runInOwnGroup(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      cwd: root,
      ...options,
      detached: true,
    });
    const stopOnSignal = forwardStopSignals((signal) => signalGroup(child, signal));
    child.on('exit', (code) => {
      stopOnSignal.remove();
      resolve(code ?? 1);
    });
  });
}

/** Sends `signal` to the process group a detached child leads (the child and what it started). */
export function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Calls `stop(signal)` on SIGINT and SIGTERM, dropping the echo of one Ctrl-C (npm passes on
 * the signal this process already got from the terminal). Returns `{ remove }`.
 */
export function forwardStopSignals(stop, echoMs = 1000) {
  let last = 0;
  const onSignal = (signal) => {
    if (Date.now() - last < echoMs) return;
    last = Date.now();
    stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    remove() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
