import type { Logger, RedisClient } from '@rnh/redis-client';
import type { Job, Queue } from 'bullmq';
import type { QueueMetrics } from '../metrics.js';
import type { QueueDefinition } from '../types.js';
import { describeError } from './attempt-log.js';
import { buildDeadJob } from './dead-entry.js';
import type { DeadLetterStore } from './dead-letter-store.js';

const SWEEP_BATCH = 100;

export interface DeadLetterMoverArgs {
  definition: QueueDefinition;
  queue: Queue;
  client: RedisClient;
  store: DeadLetterStore;
  metrics: QueueMetrics | undefined;
  logger: Logger;
}

/**
 * Moves jobs that failed for good from BullMQ's failed set to the dead-letter
 * store: right away from the worker's `failed` event, and by a periodic sweep
 * for the ones the event did not cover (a crash between the two steps, or a job
 * failed by the stalled-job checker). The failed set is the outbox: a job leaves
 * it only after its dead entry is written.
 */
export class DeadLetterMover {
  constructor(private readonly args: DeadLetterMoverArgs) {}

  /** True if this call moved the job (false: another mover did, or it is no longer failed). */
  async move(job: Job): Promise<boolean> {
    const { definition, queue, client, store, metrics, logger } = this.args;
    const id = String(job.id);
    const { logs } = await queue.getJobLogs(id, 0, -1, true).catch(() => ({ logs: [] as string[] }));
    const entry = buildDeadJob(definition.name, job, logs, Date.now());
    const { added, trimmed } = await store.add(client, queue.keys.failed!, entry);
    if (!added) return false;
    // The job is in no state now; drop its data (best effort: a leftover hash is inert).
    await queue
      .remove(id)
      .catch((error: unknown) =>
        logger.warn(
          { queue: definition.name, jobId: id, err: describeError(error) },
          "could not remove a dead job's data",
        ),
      );
    const label = { queue: definition.name, job_name: definition.jobs[job.name] ? job.name : 'unknown' };
    metrics?.deadLettered.inc(label);
    logger.warn(
      {
        queue: definition.name,
        job: job.name,
        jobId: id,
        reason: entry.reason,
        attempts: entry.attemptsMade,
        error: entry.error.name,
        ...(trimmed ? { trimmed } : {}),
      },
      'job moved to the dead-letter store',
    );
    return true;
  }

  /** Moves every job left in the failed set; answers how many it moved. Never throws. */
  async sweep(): Promise<number> {
    let moved = 0;
    try {
      for (;;) {
        const jobs = (await this.args.queue.getFailed(0, SWEEP_BATCH - 1)).filter(Boolean);
        let progress = 0;
        for (const job of jobs) if (await this.move(job)) progress += 1;
        moved += progress;
        if (jobs.length < SWEEP_BATCH || progress === 0) return moved;
      }
    } catch (error) {
      this.args.logger.warn(
        { queue: this.args.definition.name, err: describeError(error) },
        'dead-letter sweep failed; the next one retries',
      );
      return moved;
    }
  }
}
