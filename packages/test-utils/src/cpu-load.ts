import { spawn } from 'node:child_process';

export interface CpuLoad {
  /** Ends the busy processes (idempotent). */
  stop(): void;
}

// Spins until its parent is gone (the parent pid changes when the test process dies), so a
// crashed test run leaves no busy process behind.
const SPIN = `const parent = process.ppid;
for (;;) {
  const until = Date.now() + 100;
  while (Date.now() < until) {}
  if (process.ppid !== parent) process.exit(0);
}`;

/**
 * Keeps `processes` CPU cores busy with spinning Node processes, for tests whose claim
 * must hold on a loaded machine (a race that only opens when processes are starved).
 */
export function startCpuLoad(processes = 2): CpuLoad {
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['-e', SPIN], { stdio: 'ignore' }),
  );
  return {
    stop() {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
