// The committed dashboards/*.json are what src/ generates: regenerated in memory and compared.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedFileNames, dashboardsDir, generatedFiles } from '../src/index.js';

const HOW_TO_FIX = 'stale: run `pnpm --filter @rnh/dashboards build:dashboards` and commit the JSON';

describe('committed dashboards', () => {
  const generated = generatedFiles();

  it('exist for every dashboard src/ builds', () => {
    expect(committedFileNames(), HOW_TO_FIX).toEqual([...generated.keys()].sort());
  });

  it.each([...generated.keys()])('%s is up to date with src/', (name) => {
    const committed = readFileSync(join(dashboardsDir, name), 'utf8');
    expect(committed === generated.get(name), `dashboards/${name} is ${HOW_TO_FIX}`).toBe(true);
  });

  it('generate the same JSON every time (no dates, random ids or ordering)', () => {
    expect(generatedFiles()).toEqual(generated);
  });
});
