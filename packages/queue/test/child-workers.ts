// Queue workers in real OS processes (test/fixtures/worker-process.ts), watched over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TopologyTarget } from '@rnh/test-utils';

export interface ChildWorkerConfig {
  /** The run's Redis (`useRedis().target`): a server, a cluster's nodes or a Sentinel and master name. */
  target: TopologyTarget;
  /** The Redis key prefix: the same for every worker of one test. */
  prefix: string;
  name: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  shutdownTimeoutMs: number;
}

export type ChildWorkerEvent =
  | { event: 'ready'; pid: number }
  | { event: 'started'; jobId: string; starts: number; attempt: number }
  | { event: 'finished'; jobId: string }
  | { event: 'closed'; timedOut: boolean; abandoned: number };

type Kind = ChildWorkerEvent['event'];

export interface ChildWorker {
  readonly pid: number;
  /** The next event of this kind (already received or still to come). */
  next<K extends Kind>(kind: K, timeoutMs?: number): Promise<Extract<ChildWorkerEvent, { event: K }>>;
  /** Sends a signal (SIGTERM: graceful shutdown; SIGKILL: a crash). */
  signal(signal: NodeJS.Signals): void;
  /** How the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

const FIXTURE = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The tsx loader (a devDependency), so the children run the TypeScript sources directly. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** Starts a worker process and resolves once it is processing. It is SIGKILLed after the test (cleanup). */
export async function startChildWorker(
  config: ChildWorkerConfig,
  cleanup: Array<() => Promise<void> | void>,
): Promise<ChildWorker> {
  const child: ChildProcess = fork(FIXTURE, [JSON.stringify(config)], {
    cwd: PACKAGE_DIR,
    execArgv: ['--import', tsxLoader()],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const events: ChildWorkerEvent[] = [];
  const waiters = new Set<{ kind: Kind; resolve: (event: ChildWorkerEvent) => void }>();
  child.on('message', (event: ChildWorkerEvent) => {
    const waiter = [...waiters].find((candidate) => candidate.kind === event.event);
    if (!waiter) return void events.push(event);
    waiters.delete(waiter);
    waiter.resolve(event);
  });
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });

  const handle: ChildWorker = {
    get pid() {
      return child.pid!;
    },
    next<K extends Kind>(kind: K, timeoutMs = 15_000) {
      type Found = Extract<ChildWorkerEvent, { event: K }>;
      const index = events.findIndex((event) => event.event === kind);
      if (index >= 0) return Promise.resolve(events.splice(index, 1)[0] as Found);
      return new Promise<Found>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no "${kind}" from worker ${child.pid} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const waiter = {
          kind,
          resolve: (event: ChildWorkerEvent) => {
            clearTimeout(timer);
            resolve(event as Found);
          },
        };
        waiters.add(waiter);
        void exited.then(({ code, signal }) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`worker ${child.pid} exited (${code ?? signal}) before "${kind}":\n${output}`));
        });
      });
    },
    signal(signal) {
      child.kill(signal);
    },
    exited,
    output: () => output,
  };
  await handle.next('ready', 30_000);
  return handle;
}
