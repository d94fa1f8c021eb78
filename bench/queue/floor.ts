// The tracing floor: raw BullMQ plus the least a traced queue must do per job, one span on
// each side and the trace context carried in the job. Whatever a wrapper costs beyond
// this row is the wrapper's own; what this row costs against raw BullMQ is tracing's.
import { context, ROOT_CONTEXT, SpanKind, trace, type Context, type SpanContext } from '@opentelemetry/api';
import { Queue, Worker } from 'bullmq';
import { measureCount, timed } from '../lib/measure.js';
import type { TrialContender } from '../lib/runner.js';
import {
  ADD_GROUP,
  Completion,
  payload,
  PROCESS_GROUP,
  SAME_JOB_OPTIONS,
  type Setting,
} from './contenders.js';

const tracer = () => trace.getTracer('bench-floor');

/** `queue.add()` inside a PRODUCER span whose traceparent travels in the job (BullMQ's telemetry metadata). */
function tracedAdd(queue: Queue, index: number): Promise<unknown> {
  const span = tracer().startSpan('floor send', { kind: SpanKind.PRODUCER });
  const { traceId, spanId } = span.spanContext();
  const metadata = `{"traceparent":"00-${traceId}-${spanId}-01"}`;
  return queue.add('welcome', payload(index), { telemetry: { metadata } }).then(
    (job) => {
      span.end();
      return job;
    },
    (error: unknown) => {
      span.end();
      throw error;
    },
  );
}

/** The producer's span context from `{"traceparent":"00-<trace>-<span>-<flags>"}`, over ROOT. */
function parentOf(metadata: string | undefined): Context {
  if (!metadata || metadata.length !== 73) return ROOT_CONTEXT;
  const parent: SpanContext = {
    traceId: metadata.slice(19, 51),
    spanId: metadata.slice(52, 68),
    traceFlags: 1,
    isRemote: true,
  };
  return trace.setSpanContext(ROOT_CONTEXT, parent);
}

export function floorAdd(setting: Setting): TrialContender {
  let queue: Queue | undefined;
  let wrong = 0;
  let expected = 0;
  return {
    id: 'add:floor',
    label: 'floor: Queue.add() + 1 span',
    group: ADD_GROUP,
    role: 'info',
    async setup() {
      queue = new Queue('bench-add-floor', {
        connection: { host: setting.host, port: setting.port },
        prefix: 'bench-floor',
        defaultJobOptions: SAME_JOB_OPTIONS,
      });
      await queue.waitUntilReady();
    },
    async trial(size) {
      const instance = queue!;
      expected = size;
      return measureCount((index) => tracedAdd(instance, index), {
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

export function floorProcess(setting: Setting): TrialContender {
  const name = 'bench-process-floor';
  const connection = { host: setting.host, port: setting.port };
  let queue: Queue | undefined;
  let worker: Worker | undefined;
  let handled = 0;
  let wrong = 0;
  let expected = 0;
  return {
    id: 'process:floor',
    label: 'floor: Worker + 1 active span',
    group: PROCESS_GROUP,
    role: 'info',
    async setup() {
      queue = new Queue(name, { connection, prefix: 'bench-floor', defaultJobOptions: SAME_JOB_OPTIONS });
      await queue.waitUntilReady();
    },
    async prepare(size) {
      const instance = queue!;
      await measureCount((index) => tracedAdd(instance, index), {
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
        worker = new Worker(
          name,
          async (job) => {
            const parent = parentOf(job.opts.telemetry?.metadata);
            const span = tracer().startSpan('floor process', { kind: SpanKind.CONSUMER }, parent);
            try {
              await context.with(trace.setSpan(parent, span), () => {
                handled++;
              });
            } finally {
              span.end();
            }
          },
          { connection, prefix: 'bench-floor', concurrency: setting.concurrency },
        );
        worker.on('error', () => undefined);
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
