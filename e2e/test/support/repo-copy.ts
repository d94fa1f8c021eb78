// A copy of this repository as a newcomer gets it: the files git would check out
// (tracked and new, minus what .gitignore excludes), with no node_modules, dist or .data.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface RepoCopy {
  dir: string;
  remove(): void;
}

/** Copies the working tree (what `git ls-files` lists, tracked or untracked but not ignored) into a temp dir. */
export function freshRepoCopy(name: string): RepoCopy {
  const dir = mkdtempSync(join(tmpdir(), `rnh-${name}-`));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      cpSync(join(repoRoot, file), join(dir, file));
    } catch (error) {
      // A tracked file deleted in the working tree is not part of the copy.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
