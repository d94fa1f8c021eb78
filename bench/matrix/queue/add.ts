// Adding jobs: @rnh/queue's QueueProducer against BullMQ's Queue, one job per call (`enqueue` /
// `add`) or a batch per call (`enqueueBulk` / `addBulk`). After every run (warm-up and rounds,
// not measured) the queue must hold exactly the jobs the run added; then it is emptied.
import { QueueProducer, type BulkJob } from '@rnh/queue';
import { Queue } from 'bullmq';
import type { Operation, Sample } from '../../lib/measure.js';
import type { BenchServer } from '../cell.js';
import type { MatrixContender } from '../ratio-cell.js';
import type { RnhApp } from '../rnh-app.js';
import {
  adminQueue,
  bullmqOptions,
  payload,
  peerId,
  peerLabel,
  rnhDeps,
  SAME_JOB_OPTIONS,
  welcomeQueue,
  type Tracing,
  type WelcomeJobs,
} from './jobs.js';

export interface AddShape {
  tracing: Tracing;
  /** Jobs per call: 1 is `enqueue` / `add`, more is `enqueueBulk` / `addBulk` of that many. */
  batch: number;
}

/** The jobs of call `index`: `batch` consecutive payloads, so every job differs. */
function batchOf<T>(index: number, batch: number, job: (payload: { userId: string; to: string }) => T): T[] {
  const jobs: T[] = [];
  for (let offset = 0; offset < batch; offset++) jobs.push(job(payload(index * batch + offset)));
  return jobs;
}

/**
 * Checks that a run left exactly the jobs it added (a run with errors is voided anyway),
 * then empties the queue: rounds all start from an empty queue.
 */
function checkAndEmpty(admin: () => Queue, batch: number, wrong: () => void) {
  return async (sample: Sample) => {
    const queue = admin();
    if (sample.errors === 0 && (await queue.getWaitingCount()) !== sample.ops * batch) wrong();
    await queue.drain();
  };
}

/**
 * @rnh/queue as the api app builds it: a `QueueProducer` on RedisConnections' shared
 * `producer` connection (client metrics on), `enqueue('welcome', payload)` (schema check,
 * trace context in the job when traced, metrics) or `enqueueBulk` of `batch` jobs.
 */
export function rnhAdd(server: BenchServer, app: RnhApp, shape: AddShape): MatrixContender {
  const definition = welcomeQueue('add-rnh');
  let producer: QueueProducer<WelcomeJobs> | undefined;
  let admin: Queue | undefined;
  let wrong = 0;
  const call = shape.batch === 1 ? 'enqueue()' : `enqueueBulk() of ${shape.batch}`;
  return {
    id: 'rnh',
    label: `@rnh/queue ${call}, metrics on, tracing ${shape.tracing === 'traced' ? 'on' : 'off'}`,
    group: 'add',
    role: 'ours',
    async setup() {
      const instance = new QueueProducer(rnhDeps(app, shape.tracing), definition);
      producer = instance;
      await instance.connect();
      admin = adminQueue(server, app, definition.name);
      const op: Operation =
        shape.batch === 1
          ? (index) => instance.enqueue('welcome', payload(index))
          : (index) =>
              instance.enqueueBulk(
                batchOf(index, shape.batch, (data): BulkJob<WelcomeJobs> => ({
                  job: 'welcome',
                  payload: data,
                })),
              );
      await op(0);
      await admin.drain();
      return op;
    },
    afterRun: checkAndEmpty(
      () => admin!,
      shape.batch,
      () => wrong++,
    ),
    misses: () => wrong,
    async close() {
      await producer?.close();
      await admin?.close();
    },
  };
}

/**
 * BullMQ: `new Queue(name, { connection: { host, port }, prefix, defaultJobOptions })` (its
 * own ioredis connection), plus `telemetry: new BullMQOtel(...)` when traced; `add('welcome',
 * payload)` or `addBulk` of `batch` jobs.
 */
export function bullmqAdd(server: BenchServer, shape: AddShape): MatrixContender {
  let queue: Queue | undefined;
  let wrong = 0;
  const call = shape.batch === 1 ? 'add()' : `addBulk() of ${shape.batch}`;
  return {
    id: peerId(shape.tracing),
    label: `${peerLabel(shape.tracing)} Queue.${call}`,
    group: 'add',
    role: 'peer',
    async setup() {
      const instance = new Queue('add-bullmq', {
        ...bullmqOptions(server, shape.tracing),
        defaultJobOptions: SAME_JOB_OPTIONS,
      });
      queue = instance;
      await instance.waitUntilReady();
      const op: Operation =
        shape.batch === 1
          ? (index) => instance.add('welcome', payload(index))
          : (index) => instance.addBulk(batchOf(index, shape.batch, (data) => ({ name: 'welcome', data })));
      await op(0);
      await instance.drain();
      return op;
    },
    afterRun: checkAndEmpty(
      () => queue!,
      shape.batch,
      () => wrong++,
    ),
    misses: () => wrong,
    async close() {
      await queue?.close();
    },
  };
}
