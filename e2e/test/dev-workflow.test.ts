// The development loop as a newcomer lives it: `npm run dev` (turbo run dev) from the root of
// a fresh copy, both apps answering, a package edit restarting each app once, and Ctrl-C
// (SIGINT to the whole foreground process group, as a terminal sends it) ending everything
// cleanly: shutdown logged, exit code 0, no PGlite lock and no worker heartbeat left.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, scanKeys, useRedisServer, waitFor } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { freshRepoCopy, type RepoCopy } from './support/repo-copy.js';

/** The README's command. */
const DEV_COMMAND = ['npm', 'run', 'dev'] as const;

/** Wide enough for a cold start of both apps (tsx compiling, PGlite migrating) on a busy 2-core machine. */
const START_TIMEOUT_MS = 240_000;
/** After the restart, how long no further restart must come (a storm would show within it). */
const SETTLE_MS = 5_000;
/** What the issue asks of Ctrl-C: the whole process group gone within 5 s. */
const STOP_LIMIT_MS = 5_000;

const redis = useRedisServer();
let copy: RepoCopy;

beforeAll(() => {
  copy = freshRepoCopy('dev');
  execFileSync('pnpm', ['install', '--frozen-lockfile', '--offline', '--reporter=silent'], {
    cwd: copy.dir,
    stdio: 'inherit',
    env: cleanEnv(),
  });
});

afterAll(() => copy?.remove());

describe('turbo run dev from the repository root', () => {
  let dev: DevProcess | undefined;
  afterAll(() => dev?.killGroup());

  it('serves both apps, restarts the api once on a package edit and stops cleanly on Ctrl-C', async () => {
    const ports = { api: await freePort(), metrics: await freePort(), worker: await freePort() };
    dev = startDev(copy.dir, {
      REDIS_URL: redis.server.url,
      API_PORT: String(ports.api),
      API_METRICS_PORT: String(ports.metrics),
      WORKER_PORT: String(ports.worker),
      // JSON lines, so a log message is matched whole ("worker started" is not "queue worker started").
      LOG_PRETTY: 'false',
    });
    const running = dev;
    onTestFailed(() => {
      process.stdout.write(`--- ${DEV_COMMAND.join(' ')} output ---\n${running.output()}\n`);
    });

    const apiHealth = `http://127.0.0.1:${ports.api}/health`;
    const workerHealth = `http://127.0.0.1:${ports.worker}/health`;
    await waitFor(async () => (await answers(apiHealth)) && (await answers(workerHealth)), {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 500,
      what: 'both /health to answer',
    });
    expect(running.count('api listening'), 'api starts once, no restart storm').toBe(1);
    expect(running.count('worker started'), 'worker starts once').toBe(1);

    appendFileSync(join(copy.dir, 'packages/config/src/index.ts'), '// an edit during development\n');
    await waitFor(() => running.count('api listening') >= 2 && running.count('worker started') >= 2, {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 200,
      what: 'both apps to restart after the package edit',
    });
    await waitFor(async () => (await answers(apiHealth)) && (await answers(workerHealth)), {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 200,
      what: 'both /health to answer after the restart',
    });
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    expect(running.count('api listening'), 'one package edit, one api restart').toBe(2);
    expect(running.count('worker started'), 'one package edit, one worker restart').toBe(2);

    const shutdownsBefore = {
      api: running.count('api shutting down'),
      worker: running.count('worker shutting down'),
    };
    const stopped = running.interrupt();
    const exit = await Promise.race([
      stopped,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), STOP_LIMIT_MS)),
    ]);
    expect(exit, 'the whole process group ends within 5 s of Ctrl-C').toEqual({ code: 0, signal: null });
    expect(running.count('api shutting down'), 'api logs its shutdown').toBe(shutdownsBefore.api + 1);
    expect(running.count('worker shutting down'), 'worker logs its shutdown').toBe(
      shutdownsBefore.worker + 1,
    );
    expect(running.output()).not.toMatch(/ELIFECYCLE|Force killed|Force killing/);
    expect(existsSync(join(copy.dir, 'apps/api/.data/pglite.lock')), 'PGlite lock released').toBe(false);
    expect(await scanKeys(redis.admin, '*workers:*'), 'worker heartbeat removed').toEqual([]);
  });
});

interface DevProcess {
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** How many log lines so far have exactly this message. */
  count(message: string): number;
  /** SIGINT to the whole process group; resolves once the leader has exited and no process of the group is left. */
  interrupt(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to whatever of the group is left (cleanup after a failure). */
  killGroup(): void;
}

/** Starts the dev command in its own process group, as a terminal's foreground job. */
function startDev(cwd: string, env: Record<string, string>): DevProcess {
  const child: ChildProcess = spawn(DEV_COMMAND[0], DEV_COMMAND.slice(1), {
    cwd,
    env: { ...cleanEnv(), ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  return {
    output: () => text,
    count: (message) => text.split('\n').filter((line) => logMessage(line) === message).length,
    async interrupt() {
      process.kill(-child.pid!, 'SIGINT');
      const exit = await exited;
      while (groupAlive()) await new Promise((resolve) => setTimeout(resolve, 50));
      return exit;
    },
    killGroup() {
      if (groupAlive()) process.kill(-child.pid!, 'SIGKILL');
    },
  };
}

/** The `msg` of a pino JSON line behind turbo's `@rnh/api:dev: ` prefix, if the line is one. */
function logMessage(line: string): string | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  try {
    const parsed = JSON.parse(line.slice(start)) as { msg?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : undefined;
  } catch {
    return undefined;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/**
 * The environment of a developer's shell: this test's own runner variables (Vitest's
 * NODE_ENV=test, the outer turbo's and pnpm's) and app settings are left out.
 */
function cleanEnv(): Record<string, string> {
  const dropped = /^(NODE_ENV|VITEST.*|TURBO_.*|npm_.*|REDIS_.*|API_.*|WORKER_.*|OTEL_.*|LOG_.*)$/;
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !dropped.test(entry[0]),
    ),
  );
}
