// Processing jobs: @rnh/queue's QueueWorker against BullMQ's Worker, each running all along
// with a no-op handler. A trial: pause the queue (BullMQ's global pause: workers take nothing),
// add N jobs through the contender's own producer, then, measured, resume the queue and wait
// until the N jobs are completed (moved to completed by BullMQ). After each trial the handler
// must have run exactly once per job and the queue must be empty.
import { createQueueMetrics, QueueProducer, QueueWorker, type BulkJob } from '@rnh/queue';
import { Queue, Worker } from 'bullmq';
import { timed } from '../../lib/measure.js';
import type { TrialContender } from '../../lib/runner.js';
import type { BenchServer } from '../cell.js';
import type { RnhApp } from '../rnh-app.js';
import {
  adminQueue,
  bullmqOptions,
  JobCount,
  payload,
  peerId,
  peerLabel,
  rnhDeps,
  SAME_JOB_OPTIONS,
  welcomeQueue,
  type Tracing,
  type WelcomeJobs,
} from './jobs.js';

export interface ProcessShape {
  tracing: Tracing;
  /** The worker's concurrency: jobs run at once. */
  concurrency: number;
}

/** Jobs per bulk call when filling a queue, and calls in flight. */
const FILL_BATCH = 500;
const FILL_IN_FLIGHT = 4;

/** Adds `size` jobs through `addBatch` (first job index `from`), a few batches at a time. */
async function fill(
  size: number,
  addBatch: (from: number, count: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < size) {
      const from = next;
      const count = Math.min(FILL_BATCH, size - from);
      next += count;
      await addBatch(from, count);
    }
  };
  await Promise.all(Array.from({ length: FILL_IN_FLIGHT }, loop));
}

/**
 * @rnh/queue as the worker app builds it: `new QueueWorker({ redis: connections, logger,
 * registry }, definition, { concurrency, handlers: { welcome: () => {} } })`, started once
 * (its own `worker` connection from RedisConnections). Its jobs come from a QueueProducer
 * (`enqueueBulk`, so they carry the trace context when traced). A job counts as done when
 * `queue_jobs_completed_total` (moved on BullMQ's `completed` event) has counted it.
 */
export function rnhProcess(server: BenchServer, app: RnhApp, shape: ProcessShape): TrialContender {
  const definition = welcomeQueue('process-rnh');
  const deps = rnhDeps(app, shape.tracing);
  const completed = createQueueMetrics(app.registry).completed;
  const handled = new JobCount();
  let producer: QueueProducer<WelcomeJobs> | undefined;
  let worker: QueueWorker<WelcomeJobs> | undefined;
  let admin: Queue | undefined;
  let wrong = 0;
  const completedSoFar = async () =>
    (await completed.get()).values
      .filter((sample) => sample.labels.queue === definition.name)
      .reduce((sum, sample) => sum + sample.value, 0);
  return {
    id: 'rnh',
    label: `@rnh/queue QueueWorker, concurrency ${shape.concurrency}, metrics on, tracing ${shape.tracing === 'traced' ? 'on' : 'off'}`,
    group: 'process',
    role: 'ours',
    async setup() {
      producer = new QueueProducer(deps, definition);
      await producer.connect();
      admin = adminQueue(server, app, definition.name);
      worker = new QueueWorker(deps, definition, {
        concurrency: shape.concurrency,
        handlers: { welcome: () => handled.increment() },
      });
      await worker.start();
    },
    async prepare(size) {
      const instance = producer!;
      await admin!.pause();
      await fill(size, (from, count) =>
        instance.enqueueBulk(
          Array.from({ length: count }, (_, offset): BulkJob<WelcomeJobs> => ({
            job: 'welcome',
            payload: payload(from + offset),
          })),
        ),
      );
    },
    async trial(size) {
      const handledTarget = handled.value + size;
      const completedTarget = (await completedSoFar()) + size;
      return timed(async (fail) => {
        await admin!.resume();
        await handled.reached(handledTarget, fail);
        // The last handlers have returned; their jobs are completed once BullMQ has moved them.
        while ((await completedSoFar()) < completedTarget)
          await new Promise((resolve) => setTimeout(resolve, 1));
        return { ops: size };
      });
    },
    async finish() {
      const counts = await producer!.counts();
      if (counts.waiting + counts.active + counts.failed + counts.dead > 0) wrong++;
      // Each job's handler ran once: as many handler calls as completions.
      if (handled.value !== (await completedSoFar())) wrong++;
    },
    misses: () => wrong,
    counts: () => ({ handled: handled.value }),
    async close() {
      await worker?.close();
      await producer?.close();
      await admin?.close();
    },
  };
}

/**
 * BullMQ: `new Worker(name, async () => {}, { connection: { host, port }, prefix,
 * concurrency })` (plus `telemetry: new BullMQOtel(...)` when traced), running all along; its
 * jobs come from the same mode's `Queue.addBulk`. A job counts as done on the worker's
 * `completed` event.
 */
export function bullmqProcess(server: BenchServer, shape: ProcessShape): TrialContender {
  const name = 'process-bullmq';
  const handled = new JobCount();
  const completed = new JobCount();
  let queue: Queue | undefined;
  let worker: Worker | undefined;
  let wrong = 0;
  return {
    id: peerId(shape.tracing),
    label: `${peerLabel(shape.tracing)} Worker, concurrency ${shape.concurrency}`,
    group: 'process',
    role: 'peer',
    async setup() {
      const options = bullmqOptions(server, shape.tracing);
      queue = new Queue(name, { ...options, defaultJobOptions: SAME_JOB_OPTIONS });
      await queue.waitUntilReady();
      // The processor is exactly a no-op that counts: no layer around it.
      worker = new Worker(
        name,
        async () => {
          handled.increment();
        },
        { ...options, concurrency: shape.concurrency },
      );
      worker.on('error', () => undefined); // a failed command shows as a stall or a wrong count
      worker.on('completed', () => completed.increment());
      await worker.waitUntilReady();
    },
    async prepare(size) {
      const instance = queue!;
      await instance.pause();
      await fill(size, (from, count) =>
        instance.addBulk(
          Array.from({ length: count }, (_, offset) => ({ name: 'welcome', data: payload(from + offset) })),
        ),
      );
    },
    async trial(size) {
      const target = completed.value + size;
      return timed(async (fail) => {
        await queue!.resume();
        await completed.reached(target, fail);
        return { ops: size };
      });
    },
    async finish() {
      const counts = await queue!.getJobCounts('waiting', 'active', 'failed');
      if ((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.failed ?? 0) > 0) wrong++;
      if (handled.value !== completed.value) wrong++;
    },
    misses: () => wrong,
    counts: () => ({ handled: handled.value }),
    async close() {
      await worker?.close();
      await queue?.close();
    },
  };
}
