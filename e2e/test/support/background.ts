// A long-running command (`npm start`) in a process group of its own, as in its own terminal:
// its output kept for the test to read, and SIGINT to the whole group as a Ctrl-C sends it.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Background {
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  running(): boolean;
  /** Sends a signal to its whole process group, as a terminal's Ctrl-C does. */
  signal(signal: NodeJS.Signals): void;
}

export function startInBackground(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Background {
  const child: ChildProcess = spawn(command, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let done = false;
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      done = true;
      resolve(code);
    }),
  );
  return {
    output: () => text,
    exited,
    running: () => !done,
    signal(signal) {
      if (done) return;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // The group is gone already.
      }
    },
  };
}
