// The api's command-line scripts (`npm run seed`, `npm run redis:doctor`): --help, unknown
// flags, and data paths that do not depend on the directory they are started from.
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { apiDir } from './support/api-env.js';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a built script from a directory that is not the api's, with an unreachable Redis. */
async function runScript(script: string, ...args: string[]): Promise<Outcome> {
  const env = { PATH: process.env.PATH, REDIS_URL: 'redis://127.0.0.1:1', REDIS_CONNECT_TIMEOUT: '200' };
  return promisify(execFile)(process.execPath, [join(apiDir, 'dist/scripts', script), ...args], {
    cwd: tmpdir(),
    env,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Outcome) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe.each([
  ['seed.js', 'Usage: npm run seed [-- --reset]'],
  ['redis-doctor.js', 'Usage: npm run redis:doctor'],
])('%s', (script, usage) => {
  it('prints its usage for --help and exits 0 without doing anything', async () => {
    const outcome = await runScript(script, '--help');
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    expect(outcome.stdout.startsWith(usage)).toBe(true);
  });

  it('refuses an unknown flag with one line and exit code 2', async () => {
    const outcome = await runScript(script, '--frobnicate');
    expect(outcome).toMatchObject({ code: 2, stdout: '' });
    expect(outcome.stderr).toMatch(/^[\w:]+: unknown option "--frobnicate" \(see --help\)\n$/);
  });
});

describe('API_DATA_DIR', () => {
  it("is the api's own .data by default, whatever the working directory", () => {
    expect(loadConfig({}).dataDir).toBe(join(apiDir, '.data'));
  });

  it('resolves a relative path from the api directory and keeps an absolute one', () => {
    expect(loadConfig({ API_DATA_DIR: 'var/db' }).dataDir).toBe(join(apiDir, 'var/db'));
    expect(loadConfig({ API_DATA_DIR: '/srv/rnh' }).dataDir).toBe('/srv/rnh');
  });
});
