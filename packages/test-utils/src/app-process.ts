// Starts a built app as its own Node process (as `pnpm start` does) and waits until it answers HTTP.
import { spawn, type ChildProcess } from 'node:child_process';

export interface AppProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Sends SIGTERM (or the given signal) and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartAppProcessOptions {
  /** The app's directory. */
  cwd: string;
  /** Node arguments; defaults to the telemetry entry and dist/main.js. */
  args?: string[];
  /** The complete environment of the child (PATH is added). */
  env: Record<string, string>;
  /** Port the app listens on; its health path is polled there. */
  port: number;
  healthPath?: string;
  readyTimeoutMs?: number;
}

export async function startAppProcess(options: StartAppProcessOptions): Promise<AppProcess> {
  const args = options.args ?? ['--import', '@rnh/telemetry/instrumentation', 'dist/main.js'];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const url = `http://127.0.0.1:${options.port}`;
  const answered = waitForHealth(
    `${url}${options.healthPath ?? '/health'}`,
    // Generous: on a busy 2-core machine (load 20 while the whole suite runs) several apps start
    // at once, and PGlite's first migration alone takes seconds; an app was seen to need over
    // 90 s there. A healthy start takes a few seconds; only a broken one waits this out.
    options.readyTimeoutMs ?? 240_000,
    () => child.exitCode !== null,
  );
  const died = exited.then(({ code, signal }) => {
    throw new Error(`process exited (code ${code}, signal ${signal}) before it answered:\n${output}`);
  });
  try {
    await Promise.race([answered, died]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  died.catch(() => undefined);
  return {
    url,
    child,
    output: () => output,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

async function waitForHealth(url: string, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!gaveUp()) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
  await new Promise(() => undefined); // the exit branch reports instead
}
