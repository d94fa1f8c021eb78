// A TypeScript script of the bench started as a Node process of its own (through tsx), whose
// first stdout line is a JSON handshake (e.g. the port it listens on).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ScriptProcess<T> {
  child: ChildProcess;
  /** What the first stdout line said. */
  hello: T;
  stop(): Promise<void>;
}

export async function startScript<T>(
  script: URL,
  args: string[],
  readyTimeoutMs = 120_000,
): Promise<ScriptProcess<T>> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script), ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  };
  try {
    const hello = await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script.pathname} did not start in ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as T);
        } catch {
          reject(new Error(`${script.pathname} said ${JSON.stringify(line)} instead of its handshake`));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${script.pathname} exited (code ${code}, signal ${signal}) before its handshake`));
      });
    });
    return { child, hello, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
