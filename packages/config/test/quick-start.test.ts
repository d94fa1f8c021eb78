import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readmeExample, runExample } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';

const EXAMPLE = new URL('../examples/quick-start.ts', import.meta.url);

describe('the README quick start', () => {
  it('is the example file, verbatim', async () => {
    const readme = fileURLToPath(new URL('../README.md', import.meta.url));
    expect(await readmeExample(readme, 'examples/quick-start.ts')).toBe(await readFile(EXAMPLE, 'utf8'));
  });

  it('reads the environment with its defaults, and names every bad variable in one error', async () => {
    const printed = await runExample(EXAMPLE, {
      PORT: '8080',
      REQUEST_TIMEOUT_MS: undefined,
      LOGIN_LIMIT: undefined,
      LOG_LEVEL: undefined,
    });
    expect(printed).toEqual([
      '8080 5000 {"limit":5,"windowMs":900000} info',
      [
        'Invalid configuration:',
        '  - PORT must be a port number 1-65535 (got "http")',
        '  - LOGIN_LIMIT must look like 100/15m (a count per 30s, 15m, 1h or 1d), or off (got "lots")',
      ].join('\n'),
    ]);
  });
});
