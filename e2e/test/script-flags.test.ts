// Every root command explains itself with --help and refuses an unknown flag with one line
// and exit code 2, as the README promises ("npm run <command> -- --help").
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/repo-copy.js';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function npmRun(args: string[]): Promise<Outcome> {
  return new Promise((resolve) =>
    execFile(
      'npm',
      ['run', '--silent', ...args],
      // Without TURBO_FORCE (set for a forced `npm test`): the command then finds its build in
      // turbo's cache instead of rebuilding dist files that other suites' apps are loading.
      { cwd: repoRoot, timeout: 300_000, env: { ...process.env, TURBO_FORCE: undefined } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

const COMMANDS: Array<[script: string, usage: RegExp]> = [
  ['seed', /^Usage: npm run seed/],
  ['redis:doctor', /^Usage: npm run redis:doctor/],
  ['dashboards', /^Usage: npm run dashboards/],
  ['bench', /^Usage: npm run bench/],
  ['load', /^Usage: npm run load/],
  ['changeset', /^Usage: npm run changeset/],
];

describe.each(COMMANDS)('npm run %s', (script, usage) => {
  it('prints its usage for --help and exits 0', async () => {
    const outcome = await npmRun([script, '--', '--help']);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(usage);
  });

  it('refuses an unknown flag with one line and exit code 2', async () => {
    const outcome = await npmRun([script, '--', '--no-such-flag']);
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(2);
    expect(outcome.stderr).toMatch(/^[\w:]+: unknown (option|argument) "--no-such-flag" \(see --help\)\n$/);
  });
});

// npm test and npm run test:consumer go through scripts/run.mjs, which answers before installing anything.
describe.each(['test', 'test:consumer'])('npm run %s', (script) => {
  it('prints its usage, which names it, for --help and exits 0', async () => {
    const outcome = await npmRun([script, '--', '--help']);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/^Usage: node scripts\/run\.mjs /);
    expect(outcome.stdout).toContain(`\n  ${script} `);
  });

  it('refuses an unknown flag with one line and exit code 2', async () => {
    const outcome = await npmRun([script, '--', '--no-such-flag']);
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(2);
    expect(outcome.stderr.trimEnd().split('\n')).toEqual([
      expect.stringContaining(`run.mjs ${script}: unknown option "--no-such-flag" (see --help)`),
    ]);
  });
});

describe.each([
  ['scripts/run.mjs', /^Usage: node scripts\/run\.mjs start\|test\|test:consumer/],
  ['scripts/redis.mjs', /^Usage: node scripts\/redis\.mjs/],
  ['scripts/task.mjs', /^Usage: node scripts\/task\.mjs <command>/],
  ['scripts/test-topologies.mjs', /^Usage: npm run test:topologies/],
])('node %s', (script, usage) => {
  const node = (...args: string[]) =>
    new Promise<Outcome>((resolve) =>
      execFile(process.execPath, [script, ...args], { cwd: repoRoot }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it('prints its usage for --help and exits 0', async () => {
    const outcome = await node('--help');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(usage);
  });

  it('refuses an unknown flag with one line and exit code 2', async () => {
    const outcome = await node('--no-such-flag');
    expect(outcome.code).toBe(2);
    expect(outcome.stderr.trimEnd().split('\n')).toEqual([
      expect.stringContaining('unknown option "--no-such-flag" (see --help)'),
    ]);
  });
});
