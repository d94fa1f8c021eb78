// @rnh/queue and raw BullMQ, adding and processing the same no-op jobs on one redis-server.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_JOB_POLICY,
  defineQueue,
  createQueueMetrics,
  QueueProducer,
  QueueWorker,
  type JobDefinition,
  type QueueDefinition,
} from '@rnh/queue';
import type { Logger, RedisConnections } from '@rnh/redis-client';
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Registry } from 'prom-client';
import { measureCount, timed } from '../lib/measure.js';
import type { TrialContender } from '../lib/runner.js';

export const ADD_GROUP = 'add' as const;
export const PROCESS_GROUP = 'process' as const;

export interface Setting {
  host: string;
  port: number;
  /** Adds in flight, and the workers' concurrency. */
  concurrency: number;
}

/** The app side of @rnh/queue: built once by the caller, as a composition root would. */
export interface RnhApp {
  connections: RedisConnections;
  registry: Registry;
  logger: Logger;
}

/** Every job carries this (about 60 bytes of JSON), for both contenders. */
export function payload(index: number): { userId: string; to: string } {
  return { userId: `user-${index}`, to: `user${index}@example.com` };
}

type Schema = JobDefinition['schema'];
interface Zod {
  object(shape: Record<string, unknown>): Schema;
  string(): unknown;
  email(): unknown;
}

/**
 * The queue definition an app would write: one job type, `welcome`, with a zod schema.
 * @rnh/queue takes any zod schema but does not export zod, and the benchmark has no zod
 * dependency of its own, so it takes the zod that @rnh/queue itself resolves (the copy an
 * app sharing the workspace catalog would have).
 */
export function welcomeQueue(name: string): QueueDefinition<{ welcome: JobDefinition }> {
  const { z } = createRequire(import.meta.resolve('@rnh/queue'))('zod') as { z: Zod };
  return defineQueue({
    name,
    jobs: { welcome: { schema: z.object({ userId: z.string(), to: z.email() }) } },
  });
}

/**
 * The job options @rnh/queue applies by default (its DEFAULT_JOB_POLICY: 5 attempts,
 * exponential backoff from 1 s with jitter, completed jobs kept 24 h / at most 1000, failed
 * 7 days / 10 000; 20 log lines and 5 stack traces per job), given to raw BullMQ as
 * `defaultJobOptions` so that both keep and trim the same: what is compared is the
 * wrapper, not a retention choice. (BullMQ's own default keeps every completed job.)
 */
export const SAME_JOB_OPTIONS: JobsOptions = {
  attempts: DEFAULT_JOB_POLICY.attempts,
  backoff: {
    type: 'exponential',
    delay: DEFAULT_JOB_POLICY.backoff.delayMs,
    jitter: DEFAULT_JOB_POLICY.backoff.jitter,
  },
  removeOnComplete: {
    age: DEFAULT_JOB_POLICY.removeOnComplete.ageSeconds,
    count: DEFAULT_JOB_POLICY.removeOnComplete.count,
  },
  removeOnFail: {
    age: DEFAULT_JOB_POLICY.removeOnFail.ageSeconds,
    count: DEFAULT_JOB_POLICY.removeOnFail.count,
  },
  keepLogs: 20,
  stackTraceLimit: 5,
};

/** Resolves once `done()` is true, checked on every `poke()`; fails after `stallMs` without progress. */
class Completion {
  private resolve: (() => void) | undefined;
  private last = performance.now();

  constructor(
    private readonly done: () => boolean,
    private readonly progress: () => number,
  ) {}

  wait(fail: (error: Error) => void, stallMs = 15_000): Promise<void> {
    if (this.done()) return Promise.resolve();
    let seen = this.progress();
    this.last = performance.now();
    return new Promise<void>((resolve) => {
      this.resolve = resolve;
      const watchdog = setInterval(() => {
        const now = this.progress();
        if (now !== seen) {
          seen = now;
          this.last = performance.now();
        } else if (performance.now() - this.last > stallMs) {
          clearInterval(watchdog);
          fail(new Error(`no progress for ${stallMs / 1000} s (${seen} done)`));
        }
        if (!this.resolve) clearInterval(watchdog);
      }, 100);
    });
  }

  poke(): void {
    if (this.resolve && this.done()) this.settle();
  }

  private settle(): void {
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  }
}

/**
 * @rnh/queue adding jobs as an app does: `QueueProducer` on RedisConnections' shared
 * `producer` connection, `enqueue('welcome', payload)` (schema check, UUID job id, trace
 * context in the job, metrics). After each trial the queue is checked to hold exactly the
 * jobs added, then emptied (unmeasured).
 */
export function rnhAdd(setting: Setting, app: RnhApp): TrialContender {
  const definition = welcomeQueue('bench-add-rnh');
  let producer: QueueProducer<{ welcome: JobDefinition }> | undefined;
  let admin: Queue | undefined;
  let wrong = 0;
  let expected = 0;
  return {
    id: 'add:rnh',
    label: '@rnh/queue QueueProducer.enqueue()',
    group: ADD_GROUP,
    role: 'ours',
    async setup() {
      producer = new QueueProducer(
        { redis: app.connections, logger: app.logger, registry: app.registry },
        definition,
      );
      await producer.connect();
      admin = adminQueue(setting, app, definition.name);
    },
    async trial(size) {
      const instance = producer!;
      expected = size;
      return measureCount((index) => instance.enqueue('welcome', payload(index)), {
        count: size,
        concurrency: setting.concurrency,
      });
    },
    async finish() {
      if ((await producer!.counts()).waiting !== expected) wrong++;
      await admin!.drain();
    },
    misses: () => wrong,
    async close() {
      await producer?.close();
      await admin?.close();
    },
  };
}

/**
 * Raw BullMQ, optionally with a little added per job (the tracing floor in `floor.ts`):
 * which contender it is, its own queue and prefix, how it adds a job and its processor.
 */
export interface RawVariant {
  id: string;
  label: string;
  role: TrialContender['role'];
  queue: string;
  prefix: string;
  add(queue: Queue, index: number): Promise<unknown>;
  processor(job: Job): Promise<void>;
}

/** Plain raw BullMQ: `queue.add('welcome', payload)`, a no-op processor. */
const plainAdd = (queue: Queue, index: number) => queue.add('welcome', payload(index));

/** Raw BullMQ adding jobs: `new Queue(name, { connection: { host, port }, prefix, defaultJobOptions })`, `queue.add()`. */
export function bullmqAdd(
  setting: Setting,
  variant: Pick<RawVariant, 'id' | 'label' | 'role' | 'queue' | 'prefix' | 'add'> = {
    id: 'add:bullmq',
    label: 'BullMQ Queue.add()',
    role: 'baseline',
    queue: 'bench-add-bullmq',
    prefix: 'bench-bullmq',
    add: plainAdd,
  },
): TrialContender {
  let queue: Queue | undefined;
  let wrong = 0;
  let expected = 0;
  return {
    id: variant.id,
    label: variant.label,
    group: ADD_GROUP,
    role: variant.role,
    async setup() {
      queue = new Queue(variant.queue, {
        connection: { host: setting.host, port: setting.port },
        prefix: variant.prefix,
        defaultJobOptions: SAME_JOB_OPTIONS,
      });
      await queue.waitUntilReady();
    },
    async trial(size) {
      const instance = queue!;
      expected = size;
      return measureCount((index) => variant.add(instance, index), {
        count: size,
        concurrency: setting.concurrency,
      });
    },
    async finish() {
      if ((await queue!.getWaitingCount()) !== expected) wrong++;
      await queue!.drain();
    },
    misses: () => wrong,
    async close() {
      await queue?.close();
    },
  };
}

/**
 * @rnh/queue processing as the worker app does: a `QueueWorker` (its own `worker`
 * connection from RedisConnections, concurrency as given, a no-op handler) on a queue
 * pre-filled with `size` jobs by a `QueueProducer` (unmeasured). The clock runs from
 * `new QueueWorker(...)` + `start()` until `queue_jobs_completed_total` (moved on BullMQ's
 * `completed` event) has grown by `size`; closing the worker is not measured.
 */
export function rnhProcess(setting: Setting, app: RnhApp): TrialContender {
  const definition = welcomeQueue('bench-process-rnh');
  const completed = createQueueMetrics(app.registry).completed;
  let producer: QueueProducer<{ welcome: JobDefinition }> | undefined;
  let worker: QueueWorker<{ welcome: JobDefinition }> | undefined;
  let handled = 0;
  let wrong = 0;
  let expected = 0;
  const completedSoFar = async () =>
    (await completed.get()).values
      .filter((sample) => sample.labels.queue === definition.name)
      .reduce((sum, sample) => sum + sample.value, 0);
  return {
    id: 'process:rnh',
    label: '@rnh/queue QueueWorker (no-op handler)',
    group: PROCESS_GROUP,
    role: 'ours',
    async setup() {
      producer = new QueueProducer(
        { redis: app.connections, logger: app.logger, registry: app.registry },
        definition,
      );
      await producer.connect();
    },
    async prepare(size) {
      const instance = producer!;
      await measureCount((index) => instance.enqueue('welcome', payload(index)), {
        count: size,
        concurrency: setting.concurrency,
      });
      handled = 0;
      expected = size;
    },
    async trial(size) {
      const target = (await completedSoFar()) + size;
      const allHandled = new Completion(
        () => handled >= size,
        () => handled,
      );
      return timed(async (fail) => {
        worker = new QueueWorker(
          { redis: app.connections, logger: app.logger, registry: app.registry },
          definition,
          {
            concurrency: setting.concurrency,
            handlers: {
              welcome: () => {
                handled++;
                allHandled.poke();
              },
            },
          },
        );
        await worker.start();
        await allHandled.wait(fail);
        // The last handlers have returned; their jobs are completed once BullMQ has moved them.
        while ((await completedSoFar()) < target) await new Promise((resolve) => setTimeout(resolve, 1));
        return { ops: size };
      });
    },
    async finish() {
      await worker?.close();
      worker = undefined;
      const counts = await producer!.counts();
      if (handled !== expected || counts.waiting + counts.active + counts.failed + counts.dead > 0) wrong++;
    },
    misses: () => wrong,
    counts: () => ({ handled }),
    async close() {
      await worker?.close();
      await producer?.close();
    },
  };
}

/**
 * Raw BullMQ processing: `new Worker(name, async () => {}, { connection: { host, port },
 * prefix, concurrency })` on a queue pre-filled with `size` jobs by the variant's add
 * (unmeasured). The clock runs from `new Worker(...)` (autorun) until its `completed`
 * event has fired `size` times; closing the worker is not measured.
 */
export function bullmqProcess(
  setting: Setting,
  variant: Omit<RawVariant, 'processor'> & { processor?: RawVariant['processor'] } = {
    id: 'process:bullmq',
    label: 'BullMQ Worker (no-op processor)',
    role: 'baseline',
    queue: 'bench-process-bullmq',
    prefix: 'bench-bullmq',
    add: plainAdd,
  },
): TrialContender {
  const name = variant.queue;
  const connection = { host: setting.host, port: setting.port };
  let queue: Queue | undefined;
  let worker: Worker | undefined;
  let handled = 0;
  // The baseline's processor is exactly `async () => { handled++ }`: no layer around it.
  const extra = variant.processor;
  const processor = extra
    ? (job: Job) => {
        handled++;
        return extra(job);
      }
    : async () => {
        handled++;
      };
  let wrong = 0;
  let expected = 0;
  return {
    id: variant.id,
    label: variant.label,
    group: PROCESS_GROUP,
    role: variant.role,
    async setup() {
      queue = new Queue(name, { connection, prefix: variant.prefix, defaultJobOptions: SAME_JOB_OPTIONS });
      await queue.waitUntilReady();
    },
    async prepare(size) {
      const instance = queue!;
      await measureCount((index) => variant.add(instance, index), {
        count: size,
        concurrency: setting.concurrency,
      });
      handled = 0;
      expected = size;
    },
    async trial(size) {
      let completed = 0;
      const allCompleted = new Completion(
        () => completed >= size,
        () => completed,
      );
      return timed(async (fail) => {
        worker = new Worker(name, processor, {
          connection,
          prefix: variant.prefix,
          concurrency: setting.concurrency,
        });
        worker.on('error', () => undefined); // a failed command shows as a stall or a wrong count
        worker.on('completed', () => {
          completed++;
          allCompleted.poke();
        });
        await allCompleted.wait(fail);
        return { ops: completed };
      });
    },
    async finish() {
      await worker?.close();
      worker = undefined;
      const counts = await queue!.getJobCounts('waiting', 'active', 'failed');
      if (handled !== expected || (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.failed ?? 0) > 0)
        wrong++;
    },
    misses: () => wrong,
    counts: () => ({ handled }),
    async close() {
      await worker?.close();
      await queue?.close();
    },
  };
}

/**
 * A BullMQ handle on one of our queues, to empty it between trials (not measured). Our
 * queues' BullMQ prefix is `<key prefix>queue:{<queue>}` (see the @rnh/queue README).
 */
function adminQueue(setting: Setting, app: RnhApp, name: string): Queue {
  const keys = app.connections.keys;
  return new Queue(name, {
    connection: { host: setting.host, port: setting.port },
    prefix: keys.child('queue').prefix + keys.hashTag(name),
  });
}
