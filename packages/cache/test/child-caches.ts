// Caches in real OS processes (test/fixtures/cache-process.ts), driven over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TopologyTarget } from '@rnh/test-utils';

/** What a child process is started with (argv, as JSON). */
export interface ChildConfig {
  /** The run's Redis (`useRedis().target`): a server, a cluster's nodes, or a Sentinel and the master's name. */
  target: TopologyTarget;
  /** The Redis key prefix: the same for every "process" of one test. */
  prefix: string;
  /** An L1 with the invalidation bus. */
  l1: boolean;
}

export type ChildCommand = { id: number } & (
  | { op: 'stampede'; key: string; calls: number; loaderMs: number; counterKey: string; startAt: number }
  | { op: 'stampedeKeys'; keys: string[]; callsPerKey: number; counterKey: string; startAt: number }
  | { op: 'set'; key: string; value: unknown }
  | { op: 'delete'; key: string }
  | { op: 'read'; key: string }
  | { op: 'watch'; key: string; value: unknown }
);

/** What each command answers. */
export interface ChildResults {
  stampede: {
    results: Array<{ loadedBy: number; token: string; at: Date }>;
    /** Loader calls in this process. */
    loaderCalls: number;
    lockWaits: number;
    coalesced: number;
  };
  /** Loader calls in this process. */
  stampedeKeys: { loaderCalls: number };
  /** Wall-clock ms (Date.now()) before the write, and once it and its PUBLISH were answered. */
  set: { startedAt: number; publishedAt: number };
  delete: { startedAt: number; publishedAt: number };
  /** The value, and this process's lookup counters after the read. */
  read: { value: unknown; l1Hits: number; l2Lookups: number };
  watch: { watching: true };
}

type Op = ChildCommand['op'];
type Args<O extends Op> = Omit<Extract<ChildCommand, { op: O }>, 'id' | 'op'>;

export type ChildMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  | { event: 'ready'; pid: number }
  | { event: 'dropped'; at: number; value: unknown; l2Reads: number };

export type ChildEvent = Extract<ChildMessage, { event: string }>;

export interface ChildCache {
  readonly pid: number;
  /** Runs one command in the child and resolves with its result. */
  call<O extends Op>(op: O, args: Args<O>): Promise<ChildResults[O]>;
  /** The next event of this kind (already received or still to come). */
  event<E extends ChildEvent['event']>(
    kind: E,
    timeoutMs?: number,
  ): Promise<Extract<ChildEvent, { event: E }>>;
  /** SIGKILL, and resolves once the process is gone. Safe to call twice. */
  kill(): Promise<void>;
}

const FIXTURE = fileURLToPath(new URL('./fixtures/cache-process.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The tsx loader (a devDependency), so the children run the TypeScript sources directly. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/**
 * Starts `count` child processes, each with its own Cache on `config`, and
 * resolves once every one has connected (and subscribed the bus). Each child is
 * registered with `cleanup` (killed after the test, passing or not); a child
 * also exits by itself when this process goes away.
 */
export async function startChildCaches(
  count: number,
  config: ChildConfig,
  cleanup: Array<() => Promise<void> | void>,
): Promise<ChildCache[]> {
  const loader = tsxLoader();
  const children = Array.from({ length: count }, () => startChild(loader, config));
  for (const child of children) cleanup.push(() => child.kill());
  await Promise.all(children.map((child) => child.event('ready', 30_000)));
  return children;
}

function startChild(loader: string, config: ChildConfig): ChildCache {
  const child: ChildProcess = fork(FIXTURE, [JSON.stringify(config)], {
    cwd: PACKAGE_DIR,
    execArgv: ['--import', loader],
    serialization: 'advanced', // Dates and undefined survive the trip
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const events: ChildEvent[] = [];
  const eventWaiters = new Set<{
    kind: string;
    resolve: (event: ChildEvent) => void;
    reject: (e: Error) => void;
  }>();
  let gone: Error | undefined;
  let nextId = 1;

  child.on('message', (message: ChildMessage) => {
    if ('event' in message) {
      const waiter = [...eventWaiters].find((candidate) => candidate.kind === message.event);
      if (!waiter) return void events.push(message);
      eventWaiters.delete(waiter);
      return waiter.resolve(message);
    }
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve(message.result);
    else waiter?.reject(new Error(`child ${child.pid}: ${message.error}`));
  });
  void exited.then(() => {
    gone = new Error(`child ${child.pid} exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    for (const waiter of [...pending.values(), ...eventWaiters]) waiter.reject(gone);
    pending.clear();
    eventWaiters.clear();
  });

  return {
    get pid() {
      return child.pid!;
    },
    call<O extends Op>(op: O, args: Args<O>) {
      if (gone) return Promise.reject(gone);
      const id = nextId++;
      return new Promise<ChildResults[O]>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, op, ...args });
      });
    },
    event<E extends ChildEvent['event']>(kind: E, timeoutMs = 10_000) {
      type Found = Extract<ChildEvent, { event: E }>;
      const index = events.findIndex((event) => event.event === kind);
      if (index >= 0) return Promise.resolve(events.splice(index, 1)[0] as Found);
      if (gone) return Promise.reject(gone);
      return new Promise<Found>((resolve, reject) => {
        const waiter = {
          kind,
          resolve: (event: ChildEvent) => {
            clearTimeout(timer);
            resolve(event as Found);
          },
          reject: (error: Error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        const timer = setTimeout(() => {
          eventWaiters.delete(waiter);
          reject(new Error(`no "${kind}" from child ${child.pid} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        eventWaiters.add(waiter);
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
