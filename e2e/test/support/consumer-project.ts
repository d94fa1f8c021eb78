// A project outside the repository, as a user of the published packages has one: the packages
// as `pnpm pack` tarballs (what npm would download), installed with npm next to the user's own
// dependencies. No workspace links: only what the tarballs declare is there.
import { execFile as execFileCallback } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-copy.js';

const execFile = promisify(execFileCallback);

/** Folders (relative to the repository) of the packages that are published: every non-private one in packages/. */
export function publicPackageFolders(): string[] {
  return readdirSync(join(repoRoot, 'packages'))
    .map((name) => `packages/${name}`)
    .filter((folder) => {
      const manifest = JSON.parse(readFileSync(join(repoRoot, folder, 'package.json'), 'utf8')) as {
        private?: boolean;
      };
      return manifest.private !== true;
    })
    .sort();
}

/** `pnpm pack`s each folder (built dist included) into `destination`; returns the tarballs' paths. */
export async function packPackages(folders: string[], destination: string): Promise<string[]> {
  const tarballs: string[] = [];
  // One at a time: each pack is quick, and two cores are shared with the rest of the test run.
  for (const folder of folders) {
    const { stdout } = await execFile('pnpm', ['pack', '--pack-destination', destination], {
      cwd: join(repoRoot, folder),
      env: userEnv(),
    });
    const tarball = stdout.trim().split('\n').at(-1)!;
    tarballs.push(tarball.startsWith('/') ? tarball : join(destination, tarball));
  }
  return tarballs;
}

/**
 * A new ESM project in the temp dir with `fixtures` copied in, then `npm install` of the tarballs
 * and `dependencies` (registry specs such as `ioredis@^5`). Install scripts are off, as in the
 * repository (docs/decisions/0011-no-install-scripts.md).
 */
export async function consumerProject(
  name: string,
  fixtures: string,
  tarballs: string[],
  dependencies: string[],
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `rnh-${name}-`));
  cpSync(fixtures, dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'outside-consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  await execFile(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--ignore-scripts',
      ...tarballs,
      ...dependencies,
    ],
    { cwd: dir, env: userEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  return dir;
}

/** This process's environment without what pnpm and npm scripts add (npm_config_*, npm_package_*, …). */
export function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key)));
}
