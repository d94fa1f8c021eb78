import type { Logger, RedisClient } from '@rnh/redis-client';
import { Queue, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import { describeError } from './attempt-log.js';

/** One job of an `addBulkUntraced` call. */
export interface NewJob {
  name: string;
  data: unknown;
  opts: JobsOptions;
}

/**
 * BullMQ's Queue, with adds that go straight to `Job.create` / `Job.createBulk` (BullMQ's
 * public API under `add` / `addBulk`). Those wrap them in BullMQ's own telemetry (`trace()`:
 * two async layers per call even with BullMQ's telemetry off), which the producer's `send`
 * span replaces, and copy each job's options onto the queue's default options, which this
 * queue does not have (every job carries its type's options).
 */
export class BullQueue extends Queue {
  addUntraced(name: string, data: unknown, opts: JobsOptions): Promise<Job> {
    return this.Job.create(this, name, data, opts);
  }

  addBulkUntraced(jobs: NewJob[]): Promise<Job[]> {
    return this.Job.createBulk(this, jobs);
  }
}

/**
 * A BullMQ Queue on a connection we own: BullMQ treats a passed client as shared
 * and leaves it open (RedisConnections closes it).
 */
export function createBullQueue(
  name: string,
  client: RedisClient,
  prefix: string,
  logger: Logger,
): BullQueue {
  const queue = new BullQueue(name, { connection: client as ConnectionOptions, prefix });
  queue.on('error', (error) => logger.warn({ queue: name, err: describeError(error) }, 'queue error'));
  return queue;
}
