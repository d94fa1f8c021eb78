// A server binary (Prometheus, Alertmanager, redis_exporter) on a free port with a temp dir of its
// own, ready once its HTTP endpoint answers, and stopped (its dir removed) at the end. Also how the
// end-to-end tests stop the apps they started.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor, type AppProcess } from '@rnh/test-utils';

export interface DaemonOptions {
  /** For messages and the temp dir's name, e.g. `prometheus`. */
  name: string;
  binary: string;
  /** Its arguments, given its own temp dir and the free port it listens on. */
  args(dir: string, port: number): string[];
  /** Polled until it answers 200, e.g. `/-/ready`. */
  readyPath: string;
  /** Writes its files (config...) into the temp dir before it starts. */
  prepare?(dir: string, port: number): void;
  readyTimeoutMs?: number;
}

export interface DaemonHandle {
  url: string;
  port: number;
  dir: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM (SIGKILL 5 s later), then its temp dir removed. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<DaemonHandle> {
  const dir = mkdtempSync(join(tmpdir(), `rnh-${options.name}-`));
  const port = await freePort();
  options.prepare?.(dir, port);
  const child = spawn(options.binary, options.args(dir, port), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.on('error', (error) => (output += `\n${error.message}`));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${options.name} exited with ${child.exitCode}:\n${output}`);
        return (await fetch(`${url}${options.readyPath}`)).status === 200;
      },
      {
        timeoutMs: options.readyTimeoutMs ?? 30_000,
        intervalMs: 100,
        what: `${options.name} on ${url} to be ready`,
      },
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
  }
  return { url, port, dir, child, output: () => output, stop };
}

/** SIGTERM, and SIGKILL if the app has not exited 10 s later (e.g. it hangs while Redis is down). */
export async function stopApp(
  app: AppProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const killer = setTimeout(() => app.child.kill('SIGKILL'), 10_000);
  try {
    return await app.stop();
  } finally {
    clearTimeout(killer);
  }
}
