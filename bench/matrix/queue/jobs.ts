// What the queue cells share: the job, its queue definition, the job options both sides use,
// the two tracing modes, and an admin handle on a queue to pause, count and empty it.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { ProxyTracerProvider, type Tracer } from '@opentelemetry/api';
import {
  DEFAULT_JOB_POLICY,
  defineQueue,
  type JobDefinition,
  type QueueDefinition,
  type QueueDeps,
} from '@rnh/queue';
import { Queue, type JobsOptions, type QueueOptions } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import type { BenchServer } from '../cell.js';
import type { RnhApp } from '../rnh-app.js';

/**
 * `traced`: ours with the tracer of the OpenTelemetry SDK the matrix registers; the peer is
 * BullMQ with `bullmq-otel` on the same provider. `untraced`: ours with the tracer an app
 * without an SDK has (it records nothing); the peer is raw BullMQ. Metrics are on for ours in
 * both: an app has no switch for them.
 */
export type Tracing = 'traced' | 'untraced';

export type WelcomeJobs = { welcome: JobDefinition };

/** Every job carries this (about 50 bytes of JSON), on both sides. */
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
export function welcomeQueue(name: string): QueueDefinition<WelcomeJobs> {
  const { z } = createRequire(import.meta.resolve('@rnh/queue'))('zod') as { z: Zod };
  return defineQueue({
    name,
    jobs: { welcome: { schema: z.object({ userId: z.string(), to: z.email() }) } },
  });
}

/**
 * The job options @rnh/queue applies by default (its DEFAULT_JOB_POLICY: 5 attempts,
 * exponential backoff from 1 s with jitter, completed jobs kept 24 h / at most 1000, failed
 * 7 days / 10 000; 20 log lines and 5 stack traces per job), given to BullMQ as
 * `defaultJobOptions`, so that both keep and trim the same: what is compared is the wrapper,
 * not a retention choice. (BullMQ's own default keeps every completed job.)
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

/** What `trace.getTracer()` gives an app that registered no SDK: a tracer whose spans record nothing. */
const tracerWithoutSdk: Tracer = new ProxyTracerProvider().getTracer('bench-without-sdk');

/** Ours as an app builds it: its RedisConnections, registry and logger, and the tracer of the mode. */
export function rnhDeps(app: RnhApp, tracing: Tracing): QueueDeps {
  return {
    redis: app.connections,
    logger: app.logger,
    registry: app.registry,
    ...(tracing === 'untraced' ? { tracer: tracerWithoutSdk } : {}),
  };
}

/** BullMQ's options for the peer: its own connection, and bullmq-otel when traced. */
export function bullmqOptions(server: BenchServer, tracing: Tracing): QueueOptions {
  return {
    connection: { host: server.host, port: server.port },
    prefix: 'bench-bullmq',
    ...(tracing === 'traced' ? { telemetry: new BullMQOtel({ tracerName: 'bench-bullmq' }) } : {}),
  };
}

export function peerLabel(tracing: Tracing): string {
  return tracing === 'traced' ? 'BullMQ + bullmq-otel' : 'BullMQ';
}

export function peerId(tracing: Tracing): string {
  return tracing === 'traced' ? 'bullmq-otel' : 'bullmq';
}

/**
 * A plain BullMQ handle (no telemetry) on one of our queues, to pause, count and empty it
 * outside the measurement. Our queues' BullMQ prefix is `<key prefix>queue:{<queue>}`.
 */
export function adminQueue(server: BenchServer, app: RnhApp, name: string): Queue {
  const keys = app.connections.keys;
  return new Queue(name, {
    connection: { host: server.host, port: server.port },
    prefix: keys.child('queue').prefix + keys.hashTag(name),
  });
}

/**
 * A count moved by the jobs themselves (a handler, a `completed` listener), and a wait for
 * it to reach a target that costs nothing while it waits: no polling in the process that is
 * being measured. A watchdog fails the wait when the count stops moving.
 */
export class JobCount {
  value = 0;
  private target = Number.POSITIVE_INFINITY;
  private done: (() => void) | undefined;

  increment(): void {
    this.value++;
    if (this.value >= this.target) this.settle();
  }

  reached(target: number, fail: (error: Error) => void, stallMs = 15_000): Promise<void> {
    if (this.value >= target) return Promise.resolve();
    this.target = target;
    let seen = this.value;
    let movedAt = performance.now();
    return new Promise<void>((resolve) => {
      const watchdog = setInterval(() => {
        if (this.value !== seen) {
          seen = this.value;
          movedAt = performance.now();
        } else if (performance.now() - movedAt > stallMs) {
          this.settle();
          fail(new Error(`no progress for ${stallMs / 1000} s (${seen} of ${target})`));
        }
      }, 250);
      this.done = () => {
        clearInterval(watchdog);
        resolve();
      };
    });
  }

  private settle(): void {
    this.target = Number.POSITIVE_INFINITY;
    const done = this.done;
    this.done = undefined;
    done?.();
  }
}
