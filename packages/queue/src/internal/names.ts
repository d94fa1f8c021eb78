import type { Keyspace } from '@rnh/redis-client';
import { QueueArgumentError } from '../errors.js';

// No `:` (BullMQ refuses it in queue names and custom ids) and no braces (the queue
// name is the hash tag of its keys). Short enough for a connection pool name.
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$/;
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const SCHEDULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function assertQueueName(name: string): void {
  if (!QUEUE_NAME.test(name))
    throw new QueueArgumentError(
      `queue name must be 1-48 characters of A-Z a-z 0-9 _ . - (got ${JSON.stringify(name)})`,
    );
}

export function assertJobName(queue: string, name: string): void {
  if (!JOB_NAME.test(name))
    throw new QueueArgumentError(
      `job name in queue "${queue}" must be 1-64 characters of A-Z a-z 0-9 _ . : - (got ${JSON.stringify(name)})`,
    );
}

export function assertScheduleId(queue: string, id: string): void {
  if (!SCHEDULE_ID.test(id))
    throw new QueueArgumentError(
      `schedule id in queue "${queue}" must be 1-64 characters of A-Z a-z 0-9 _ . - (got ${JSON.stringify(id)})`,
    );
}

/**
 * Where a queue's keys live. BullMQ writes `<prefix>:<queue>:<type>`; the prefix
 * carries the queue name as a hash tag (`rnh:queue:{email}`), so every key of a
 * queue (and of its dead-letter store) is in one Redis Cluster slot while
 * different queues spread over the cluster.
 */
export interface QueueKeys {
  /** The BullMQ `prefix` option. */
  bullPrefix: string;
  /** `<prefix>:<queue>:` - BullMQ's own keys start with it. */
  root: string;
  /** Sorted set: dead job id -> time it died (ms). */
  deadIndex: string;
  /** Hash: dead job id -> the DeadJob as JSON. */
  deadEntries: string;
}

export function queueKeys(keys: Keyspace, queue: string): QueueKeys {
  const bullPrefix = keys.prefix + keys.hashTag(queue);
  const root = `${bullPrefix}:${queue}:`;
  return {
    bullPrefix,
    root,
    deadIndex: `${root}dead`,
    deadEntries: `${root}dead:entries`,
  };
}
