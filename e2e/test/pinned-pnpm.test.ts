// `npx pnpm` (README, "Develop") runs the pnpm of the root dev dependencies; it must be the
// version `packageManager` pins, which `npm start` and `npm test` install and turbo expects.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './support/repo-copy.js';

describe('the pinned pnpm', () => {
  it('is the same version in packageManager and in the catalog the root devDependency uses', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      packageManager: string;
      devDependencies: Record<string, string>;
    };
    const workspace = parse(readFileSync(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8')) as {
      catalog: Record<string, string>;
    };
    expect(manifest.devDependencies.pnpm).toBe('catalog:');
    expect(`pnpm@${workspace.catalog.pnpm}`).toBe(manifest.packageManager.split('+')[0]);
  });
});
