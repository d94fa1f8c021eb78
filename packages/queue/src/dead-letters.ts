import type { RedisClient } from '@rnh/redis-client';
import { DeadJobNotFoundError, QueueArgumentError, QueueError, QueueUnavailableError } from './errors.js';
import type { DeadLetterStore } from './internal/dead-letter-store.js';
import type { Enqueuer } from './internal/enqueuer.js';
import type { SecretFields } from './internal/secret-fields.js';
import type { DeadJob, DeadJobPage, EnqueueResult } from './types.js';

const MAX_PAGE = 500;

/**
 * A queue's dead jobs: jobs that failed their last attempt, threw an
 * UnrecoverableError, or stalled too often. Stored next to the queue
 * (`<prefix>:<queue>:dead`, a sorted set by time of death, and `:dead:entries`),
 * bounded by the queue's `deadLetter` policy. Get it from `producer.deadLetters`.
 * Secret payload fields stay sealed in the store and read `"[redacted]"` here.
 */
export class DeadLetterQueue {
  /** @internal */
  constructor(
    private readonly queue: string,
    private readonly store: DeadLetterStore,
    private readonly client: () => RedisClient,
    private readonly enqueuer: Enqueuer,
    private readonly secrets: SecretFields,
  ) {}

  count(): Promise<number> {
    return this.guard('count', () => this.store.count(this.client()));
  }

  /** A page of dead jobs, newest first. */
  list(options: { offset?: number; limit?: number } = {}): Promise<DeadJobPage> {
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 50;
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new QueueArgumentError('offset must be an integer >= 0');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE)
      throw new QueueArgumentError(`limit must be an integer from 1 to ${MAX_PAGE}`);
    return this.guard('list', async () => {
      const client = this.client();
      const [total, jobs] = await Promise.all([
        this.store.count(client),
        this.store.list(client, offset, limit),
      ]);
      return { total, jobs: jobs.map((job) => this.redacted(job)) };
    });
  }

  async get(id: string): Promise<DeadJob | undefined> {
    const dead = await this.guard('get', () => this.store.get(this.client(), id));
    return dead && this.redacted(dead);
  }

  /**
   * Enqueues the dead job again on its queue with its payload (secret fields opened,
   * validated against the current schema and sealed again), as a new job with a fresh attempt budget, then removes
   * the dead entry. Retrying the same entry twice adds one job: the new job's id
   * is derived from the dead one's.
   */
  async retry(id: string): Promise<EnqueueResult> {
    const dead = await this.guard('get', () => this.store.get(this.client(), id));
    if (!dead) throw new DeadJobNotFoundError(this.queue, id);
    // Opened here and sealed again (a fresh IV) by the enqueue; QueueSealingError without the key.
    const payload = this.secrets.open(dead.name, dead.payload);
    const result = await this.enqueuer.enqueue(dead.name, payload, {}, retryJobId(id));
    await this.guard('retry', () => this.store.remove(this.client(), [id]));
    return result;
  }

  /** Removes the given dead jobs, or all of them; answers how many were removed. */
  purge(ids?: readonly string[]): Promise<number> {
    return this.guard('purge', () => this.store.remove(this.client(), ids));
  }

  private redacted(dead: DeadJob): DeadJob {
    return { ...dead, payload: this.secrets.redact(dead.name, dead.payload) };
  }

  private async guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof QueueError) throw error;
      throw new QueueUnavailableError(
        this.queue,
        `dead-letters.${operation}`,
        `dead-letter ${operation} failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}

/** BullMQ custom ids cannot contain `:` (scheduled jobs' ids do). */
function retryJobId(deadId: string): string {
  return `retry-${deadId.replace(/:/g, '-')}`;
}
