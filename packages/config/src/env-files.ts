// .env files for local work. Each app's preload (apps/*/src/env-files.ts) calls loadEnvFiles
// with its own directory and process.env; this module only touches the object it is given.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import type { EnvSource } from './parse-env.js';

/**
 * The files an app reads, most specific first: its own `.env.local` and `.env`, then the
 * repository root's (`<app>/../..`). `.local` files hold a developer's own settings (ignored by git).
 */
export function envFilesOf(appDir: string): string[] {
  const root = join(appDir, '..', '..');
  return [join(appDir, '.env.local'), join(appDir, '.env'), join(root, '.env.local'), join(root, '.env')];
}

/**
 * Adds to `env` what the files set, never replacing a variable `env` already has: the real
 * environment beats every file, and an earlier (more specific) file beats a later one. Missing
 * files are skipped. With NODE_ENV=test in `env` no file is read, so a developer's own files
 * cannot change what a test sees. Returns the files that were read.
 */
export function loadEnvFiles(files: readonly string[], env: EnvSource): string[] {
  if (env.NODE_ENV === 'test') return [];
  const read: string[] = [];
  for (const file of files) {
    const content = readIfPresent(file);
    if (content === undefined) continue;
    read.push(file);
    for (const [name, value] of Object.entries(parseEnv(content))) env[name] ??= value;
  }
  return read;
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
