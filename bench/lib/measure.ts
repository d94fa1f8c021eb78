// The measuring loop shared by every benchmark: N requests in flight for a fixed time, counted.
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

export interface LoadShape {
  durationMs: number;
  /** Requests in flight at once (each a loop that awaits one operation, then starts the next). */
  concurrency: number;
}

export interface Sample {
  /** Completed operations (failed ones are not counted). */
  ops: number;
  errors: number;
  firstError: unknown;
  elapsedMs: number;
  opsPerSec: number;
  /** CPU time of this process (all its threads: main, GC, libuv) per completed operation, in µs. */
  cpuMicrosPerOp: number;
}

/** One operation; `index` increases by one per call across all workers (use it to pick a key). */
export type Operation = (index: number) => Promise<unknown>;

/** Takes the duration of every completed operation, in milliseconds (e.g. a histogram for p99). */
export interface LatencyRecorder {
  record(ms: number): void;
}

// Each worker looks at the clock and yields to the event loop after this many of its operations.
// Yielding lets timers and I/O callbacks run (span export, metric timers) even when an operation
// never leaves the microtask queue (an in-process L1 hit), as a server's request loop would.
const CHECK_EVERY = 32;

// Operations that have not settled this long after the deadline mean something hangs (a dead server).
const STALL_MS = 15_000;

export class StalledError extends Error {
  constructor(inFlight: number) {
    super(`${inFlight} operations still had not settled ${STALL_MS / 1000} s after the deadline`);
    this.name = 'StalledError';
  }
}

/**
 * Runs `concurrency` loops over `operation` for `durationMs` and counts what completed.
 * The rate is completed operations over the wall time until the last loop finished.
 * With `latency`, each completed operation's duration is recorded there.
 * Rejects with StalledError when operations stop settling (e.g. the server died).
 */
export async function measure(
  operation: Operation,
  shape: LoadShape,
  latency?: LatencyRecorder,
): Promise<Sample> {
  let next = 0;
  let ops = 0;
  let errors = 0;
  let firstError: unknown;
  let stopped = false;
  let running = shape.concurrency;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + shape.durationMs;

  const worker = async (): Promise<void> => {
    let mine = 0;
    while (!stopped) {
      try {
        if (latency) {
          const began = performance.now();
          await operation(next++);
          latency.record(performance.now() - began);
        } else {
          await operation(next++);
        }
        ops++;
      } catch (error) {
        errors++;
        firstError ??= error;
      }
      if (++mine % CHECK_EVERY === 0) {
        if (performance.now() >= deadline) stopped = true;
        else await yieldToEventLoop();
      }
    }
    running--;
  };

  // Slow operations (an HTTP request to a busy server) may take a worker seconds to reach its
  // next check; the timer stops every worker at the deadline whatever their pace.
  const stopAtDeadline = setTimeout(() => {
    stopped = true;
  }, shape.durationMs);
  let watchdog: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    watchdog = setTimeout(() => {
      stopped = true;
      reject(new StalledError(running));
    }, shape.durationMs + STALL_MS);
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: shape.concurrency }, worker)), stalled]);
  } finally {
    clearTimeout(stopAtDeadline);
    clearTimeout(watchdog);
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    ops,
    errors,
    firstError,
    elapsedMs,
    opsPerSec: ops / (elapsedMs / 1000),
    cpuMicrosPerOp: (cpu.user + cpu.system) / Math.max(1, ops),
  };
}

/** What a piece of timed work reports about itself. */
export interface WorkDone {
  ops: number;
  errors?: number;
  firstError?: unknown;
}

/**
 * Times `work` (wall clock, and this process's CPU) and turns its count into a Sample
 * (fixed work, e.g. processing a backlog of N jobs).
 * `work` gets a `fail` callback that makes the measurement reject at once (e.g. a watchdog
 * saw no progress); whatever `work` still does afterwards is ignored.
 */
export async function timed(work: (fail: (error: Error) => void) => Promise<WorkDone>): Promise<Sample> {
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const done = await Promise.race([work(fail), failed]);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    ops: done.ops,
    errors: done.errors ?? 0,
    firstError: done.firstError,
    elapsedMs,
    opsPerSec: done.ops / (elapsedMs / 1000),
    cpuMicrosPerOp: (cpu.user + cpu.system) / Math.max(1, done.ops),
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
