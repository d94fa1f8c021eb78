import type { Logger, RedisClient } from '@rnh/redis-client';
import type { Queue } from 'bullmq';
import type { DepthSample, DepthSource } from '../metrics.js';
import type { QueueCounts } from '../types.js';
import { describeError } from './attempt-log.js';
import type { DeadLetterStore } from './dead-letter-store.js';
import { withTimeout } from './timeout.js';

/**
 * A scrape must answer while Redis is down (that is when its Redis metrics matter most), and
 * the worker's connection waits for Redis forever: a sample gives up after this long.
 */
const SAMPLE_TIMEOUT_MS = 1000;

const BULL_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;

/** Job counts by state (one BullMQ script call) plus the dead-letter store's size. */
export async function countJobs(
  queue: Queue,
  store: DeadLetterStore,
  client: RedisClient,
): Promise<QueueCounts> {
  const [counts, dead] = await Promise.all([queue.getJobCounts(...BULL_STATES), store.count(client)]);
  return {
    waiting: counts.waiting ?? 0,
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    prioritized: counts.prioritized ?? 0,
    'waiting-children': counts['waiting-children'] ?? 0,
    completed: counts.completed ?? 0,
    failed: counts.failed ?? 0,
    dead,
  };
}

/**
 * The depth of one queue for the scrape-time gauges. One sample serves every
 * scrape for `cacheMs`, and concurrent scrapes share the one in flight, so a
 * scrape storm costs Redis one round of reads per interval.
 */
export class DepthSampler implements DepthSource {
  private cached: { at: number; sample: Promise<DepthSample | undefined> } | undefined;

  constructor(
    readonly queue: string,
    private readonly read: () => { queue: Queue; client: RedisClient } | undefined,
    private readonly store: DeadLetterStore,
    private readonly cacheMs: number,
    private readonly logger: Logger,
    /** A worker with declared schedules: how many its last check found missing in Redis. */
    private readonly schedulesMissing?: () => number | undefined,
  ) {
    this.sample = this.sample.bind(this);
  }

  sample(): Promise<DepthSample | undefined> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached.sample;
    const sample = this.take();
    this.cached = { at: now, sample };
    return sample;
  }

  private async take(): Promise<DepthSample | undefined> {
    const target = this.read();
    // Not connected: nothing to read now, and a read would queue until Redis is back.
    if (!target || target.client.status !== 'ready') return undefined;
    try {
      const [counts, oldest] = await withTimeout(
        Promise.all([
          countJobs(target.queue, this.store, target.client),
          // The wait list is FIFO: ascending order starts at its oldest job.
          target.queue.getJobs(['wait'], 0, 0, true),
        ]),
        SAMPLE_TIMEOUT_MS,
        'queue depth sample',
      );
      const job = oldest[0];
      const readyAt = job ? job.timestamp + (job.delay ?? 0) : undefined;
      const schedulesMissing = this.schedulesMissing?.();
      return {
        counts,
        oldestWaitingAgeSeconds: readyAt === undefined ? 0 : Math.max(0, Date.now() - readyAt) / 1000,
        ...(schedulesMissing === undefined ? {} : { schedulesMissing }),
      };
    } catch (error) {
      // The series of this queue are left out of this scrape (absent, not stale).
      this.logger.warn({ queue: this.queue, err: describeError(error) }, 'queue depth sample failed');
      return undefined;
    }
  }
}
