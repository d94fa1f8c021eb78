// Small helpers shared by the root scripts (plain Node, no dependencies: they run before `pnpm install`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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
