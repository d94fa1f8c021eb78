import type { Logger, RedisClient } from '@rnh/redis-client';
import { Queue, type ConnectionOptions } from 'bullmq';
import { describeError } from './attempt-log.js';

/**
 * A BullMQ Queue on a connection we own: BullMQ treats a passed client as shared
 * and leaves it open (RedisConnections closes it).
 */
export function createBullQueue(name: string, client: RedisClient, prefix: string, logger: Logger): Queue {
  const queue = new Queue(name, { connection: client as ConnectionOptions, prefix });
  queue.on('error', (error) => logger.warn({ queue: name, err: describeError(error) }, 'queue error'));
  return queue;
}
