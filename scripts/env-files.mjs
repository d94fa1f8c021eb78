// The apps' .env files as plain Node reads them (these scripts run before `pnpm install`, so they
// cannot use @rnh/config): the same files and order as packages/config/src/env-files.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { root } from './lib.mjs';

/** `env` plus what the app's and the root's .env files set, the real environment and the more specific file winning. */
export function withEnvFiles(app, env = process.env) {
  if (env.NODE_ENV === 'test') return env;
  const appDir = join(root, 'apps', app);
  const files = [
    join(appDir, '.env.local'),
    join(appDir, '.env'),
    join(root, '.env.local'),
    join(root, '.env'),
  ];
  const merged = { ...env };
  for (const file of files) {
    let content;
    try {
      content = readFileSync(file, 'utf8');
    } catch {
      continue; // missing: nothing to add
    }
    for (const [name, value] of Object.entries(parseEnv(content))) merged[name] ??= value;
  }
  return merged;
}
