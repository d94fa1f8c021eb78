// The generator's command line: --help, and a one-line refusal of what it does not know.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/generate.ts', ...args], { cwd: packageDir });

// Each case starts Node with tsx over the apps' config schemas: seconds when idle, over a
// minute on a crowded 2-core machine.
describe('config:docs', () => {
  it('--help says what it writes and exits 0', async () => {
    const { stdout } = await run('--help');
    expect(stdout).toContain('Usage: npm run config:docs');
    expect(stdout).toContain('.env.example and docs/configuration.md');
  }, 180_000);

  it('--check says the committed files are up to date', async () => {
    expect((await run('--check')).stdout).toBe('Up to date.\n');
  }, 180_000);

  it('refuses an unknown flag with one line and exit code 2', async () => {
    const failed = await run('--frobnicate').catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toBe(
      "config:docs: Unknown option '--frobnicate'. Run with --help for usage.\n",
    );
  }, 180_000);
});
