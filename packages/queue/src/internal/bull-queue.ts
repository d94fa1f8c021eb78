import type { Logger, RedisClient } from '@rnh/redis-client';
import { Queue, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import { describeError } from './attempt-log.js';

/**
 * BullMQ's Queue, plus an add without BullMQ's own telemetry wrapper: `add()` runs
 * `addJob()` inside `trace()` (two async layers per job even when BullMQ's telemetry is
 * off), and the producer's `send` span already covers the add.
 */
export class BullQueue extends Queue {
  addUntraced(name: string, data: unknown, opts: JobsOptions): Promise<Job> {
    return this.addJob(name, data, opts);
  }
}

/**
 * A BullMQ Queue on a connection we own: BullMQ treats a passed client as shared
 * and leaves it open (RedisConnections closes it).
 */
export function createBullQueue(name: string, client: RedisClient, prefix: string, logger: Logger): BullQueue {
  const queue = new BullQueue(name, { connection: client as ConnectionOptions, prefix });
  queue.on('error', (error) => logger.warn({ queue: name, err: describeError(error) }, 'queue error'));
  return queue;
}
