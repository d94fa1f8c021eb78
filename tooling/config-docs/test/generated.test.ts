// The committed .env.example and docs/configuration.md are what the schemas generate: regenerated and compared.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles, repoRoot } from '../src/index.js';

const HOW_TO_FIX = 'stale: run `npm run config:docs` and commit the result';

describe('committed configuration docs', async () => {
  const generated = await generatedFiles();

  it.each([...generated.keys()])('%s is up to date with the config schemas', (path) => {
    const committed = readFileSync(join(repoRoot, path), 'utf8');
    expect(committed === generated.get(path), `${path} is ${HOW_TO_FIX}`).toBe(true);
  });

  it('come out the same every time', async () => {
    expect(await generatedFiles()).toEqual(generated);
  });
});
