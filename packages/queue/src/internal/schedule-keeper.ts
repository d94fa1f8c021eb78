import type { Logger } from '@rnh/redis-client';
import type { Queue } from 'bullmq';
import { describeError } from './attempt-log.js';

/**
 * Keeps a worker's declared schedules in Redis after start. A Redis that restarts without
 * its data (no persistence, a restored empty replica) or a stray delete loses them, and
 * nothing would recreate them until the app restarts. So the keeper syncs again whenever the
 * worker's connection becomes ready again, and each `check()` (the worker's periodic sweep)
 * repairs what it finds missing. `missing` is what the last check found, for the
 * `queue_schedules_missing` gauge.
 */
export class ScheduleKeeper {
  private syncing: Promise<boolean> | undefined;
  private lastMissing = 0;

  constructor(
    private readonly queueName: string,
    private readonly queue: Queue,
    private readonly ids: readonly string[],
    private readonly sync: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  get missing(): number {
    return this.lastMissing;
  }

  /** Counts the declared schedules Redis does not have, and syncs when any is missing. */
  async check(): Promise<number> {
    const found = await Promise.all(this.ids.map((id) => this.queue.getJobScheduler(id)));
    const missing = this.ids.filter((_, index) => !found[index]);
    this.lastMissing = missing.length;
    if (missing.length > 0) {
      this.logger.warn(
        { queue: this.queueName, missing },
        'declared schedules are missing in Redis; putting them back',
      );
      if (await this.resync()) this.lastMissing = 0;
    }
    return missing.length;
  }

  /** Syncs again (one at a time): true when it worked. A failure is logged; the next ready or check retries. */
  resync(): Promise<boolean> {
    this.syncing ??= this.sync()
      .then(
        () => true,
        (error: unknown) => {
          this.logger.warn(
            { queue: this.queueName, err: describeError(error) },
            'could not sync the queue schedules; retrying at the next check',
          );
          return false;
        },
      )
      .finally(() => {
        this.syncing = undefined;
      });
    return this.syncing;
  }
}
