// The README's Quick start, followed as a newcomer does: from a fresh copy of the repository on a
// machine without pnpm, `npm start` in its own terminal, then each follow-up command exactly as the
// README prints it, Ctrl-C where the README says so, seed, start again, and the demo login.
// The commands are read from the README's sh blocks, so the README and this test cannot drift.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort, scanKeys, useRedisServer } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startInBackground, type Background } from './support/background.js';
import { pathWithout } from './support/path-without.js';
import { quickStartSteps, type QuickStartStep } from './support/quick-start.js';
import { freshRepoCopy, repoRoot, type RepoCopy } from './support/repo-copy.js';

// The first `npm start` installs pnpm (npm registry) and the dependencies (pnpm's shared store),
// then builds every package: minutes on a busy 2-core machine. Later starts use turbo's cache.
const FIRST_START_MS = 15 * 60_000;
const LATER_START_MS = 5 * 60_000;
const COMMAND_MS = 5 * 60_000;
const STOP_MS = 60_000;
const TEST_MS = 40 * 60_000;

const redis = useRedisServer();
const steps = quickStartSteps(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
let copy: RepoCopy;
let env: NodeJS.ProcessEnv;
/** The README's ports, as the test's free ports: localhost:3000 api, 9464 api metrics, 3001 worker. */
let ports: { api: number; metrics: number; worker: number };
let app: Background | undefined;
const transcript: string[] = [];

beforeAll(async () => {
  copy = freshRepoCopy('readme');
  ports = { api: await freePort(), metrics: await freePort(), worker: await freePort() };
  env = {
    // A newcomer's shell: no pnpm, and none of this workspace's node_modules/.bin.
    PATH: pathWithout(
      ['pnpm', 'pnpx'],
      (process.env.PATH ?? '')
        .split(delimiter)
        .filter((dir) => !dir.includes('node_modules'))
        .join(delimiter),
    ),
    // The default store and npm cache, so the install is fast.
    HOME: process.env.HOME,
    REDIS_URL: `redis://${redis.server.host}:${redis.server.port}`,
    API_PORT: String(ports.api),
    API_METRICS_PORT: String(ports.metrics),
    WORKER_PORT: String(ports.worker),
  };
});

afterAll(async () => {
  if (app?.running()) {
    app.signal('SIGINT');
    await Promise.race([app.exited, new Promise((resolve) => setTimeout(resolve, STOP_MS))]);
    app.signal('SIGKILL');
  }
  copy?.remove();
});

/** The end of a long output (the metrics are hundreds of lines). */
function lastLines(text: string, count = 60): string {
  const lines = text.split('\n');
  return lines.length > count ? `[… ${lines.length - count} lines]\n${lines.slice(-count).join('\n')}` : text;
}

/** The README's command with its ports replaced by the test's. */
function withTestPorts(line: string): string {
  return line
    .replaceAll('localhost:3000', `localhost:${ports.api}`)
    .replaceAll('localhost:9464', `localhost:${ports.metrics}`)
    .replaceAll('localhost:3001', `localhost:${ports.worker}`);
}

/** Runs one line with `sh -c` in the copy; its output goes into the transcript. */
async function runLine(line: string): Promise<{ code: number; output: string }> {
  const command = withTestPorts(line);
  const result = await new Promise<{ code: number; output: string }>((resolve) =>
    execFile(
      'sh',
      ['-c', command],
      { cwd: copy.dir, env, timeout: COMMAND_MS, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    ),
  );
  transcript.push(`$ ${command}\n${lastLines(result.output)}(exit code ${result.code})`);
  return result;
}

async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(5000) }).then(
    (response) => response.ok,
    () => false,
  );
}

async function startApps(line: string, timeoutMs: number): Promise<Background> {
  const started = startInBackground('npm', ['start'], copy.dir, env);
  transcript.push(`$ ${line}   (in the background)`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const api = await answers(`http://127.0.0.1:${ports.api}/health`);
    if (api && (await answers(`http://127.0.0.1:${ports.worker}/health`))) return started;
    if (!started.running())
      throw new Error(
        `npm start exited (${await started.exited}) before both apps answered:\n${started.output()}`,
      );
    if (Date.now() > deadline)
      throw new Error(`api and worker did not answer /health within ${timeoutMs} ms:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function stopApps(running: Background, line: string): Promise<void> {
  const lock = join(copy.dir, 'apps/api/.data/pglite.lock');
  // What a clean stop must remove is there while the apps run.
  expect(existsSync(lock)).toBe(true);
  expect(await scanKeys(redis.admin, 'rnh:workers:*')).toHaveLength(1);

  running.signal('SIGINT');
  const code = await Promise.race([
    running.exited,
    new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), STOP_MS)),
  ]);
  transcript.push(`${line}\n${lastLines(running.output())}(npm start: ${code})`);
  expect(code).toBe(0);
  expect(running.output()).toMatch(/^api +│ .*"msg":"api shutting down"/m);
  expect(running.output()).toMatch(/^worker +│ .*"msg":"worker shutting down"/m);
  expect(running.output()).toContain('api and worker stopped.');
  expect(existsSync(lock)).toBe(false);
  expect(await scanKeys(redis.admin, 'rnh:workers:*')).toEqual([]);
}

describe("the README's Quick start", () => {
  it('has the two commands, follow-up commands, a Ctrl-C, the seed and the demo login', () => {
    const lines = (kind: QuickStartStep['kind']) => steps.filter((step) => step.kind === kind);
    expect(lines('start').length).toBeGreaterThanOrEqual(2);
    expect(lines('skip').map((step) => step.line)).toEqual([expect.stringMatching(/^npm test\b/)]);
    expect(lines('stop')).toHaveLength(1);
    expect(lines('run').map((step) => step.line)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^npm run seed\b/),
        expect.stringContaining('/auth/login'),
      ]),
    );
  });

  it(
    'works as printed from a fresh copy without pnpm: start, follow-ups, Ctrl-C, seed, start again, demo login',
    async () => {
      onTestFailed(() => {
        const running = app?.running() ? `\n\nnpm start, still running:\n${lastLines(app.output())}` : '';
        console.log(`Transcript:\n\n${transcript.join('\n\n')}${running}`);
      });
      let starts = 0;
      for (const step of steps) {
        if (step.kind === 'skip') continue;
        if (step.kind === 'start') {
          expect(app?.running() ?? false, `${step.line}: npm start is still running`).toBe(false);
          app = await startApps(step.line, starts++ === 0 ? FIRST_START_MS : LATER_START_MS);
        } else if (step.kind === 'stop') {
          expect(app?.running(), `${step.line}: nothing to stop`).toBe(true);
          await stopApps(app!, step.line);
        } else {
          const { code, output } = await runLine(step.line);
          expect(code, `${step.line}\n${output}`).toBe(0);
          if (/^npm run seed\b/.test(step.line)) expect(output).toContain('Sign in as demo@seed.example.com');
          if (step.line.includes('/auth/login')) expect(output).toMatch(/^HTTP\/1\.1 200 /m);
        }
      }
      if (app?.running()) await stopApps(app, '(end of the Quick start)');
    },
    TEST_MS,
  );
});
