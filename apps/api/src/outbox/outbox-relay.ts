// Moves outbox events into the job queue: right after a write (nudge), every second otherwise,
// backing off while Redis is down. An event is marked sent only once its job is queued; its
// idempotency key makes a repeat after a crash (queued, not yet marked) add no second job. Sealed
// payload fields are opened here, just before the enqueue, and nowhere else.
import { QueueSealingError, QueueValidationError } from '@rnh/queue';
import type { Logger } from '@rnh/telemetry';
import type { OutboxMetrics } from './outbox-metrics.js';
import type { OutboxPayloads } from './outbox-payloads.js';
import type { OutboxEvent, OutboxRepository } from './outbox-repository.js';

/** What a relay needs of a queue producer: enqueue by job name with an idempotency key. */
export interface OutboxQueue {
  enqueue(job: string, payload: unknown, options: { idempotencyKey: string }): Promise<unknown>;
}

export interface OutboxRelayOptions {
  /** Events claimed per pass. */
  batchSize?: number;
  /** A relay that dies holding events gives them up after this long. */
  leaseMs?: number;
  /** Between passes when there was nothing to relay. */
  idleMs?: number;
  /** The longest wait between attempts while Redis is down (it doubles from `idleMs`). */
  maxBackoffMs?: number;
}

export class OutboxRelay {
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly idleMs: number;
  private readonly maxBackoffMs: number;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private backoffMs = 0;

  constructor(
    private readonly deps: {
      outbox: OutboxRepository;
      queues: Record<string, OutboxQueue>;
      payloads: Pick<OutboxPayloads, 'opened'>;
      metrics: OutboxMetrics;
      logger: Logger;
    },
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.idleMs = options.idleMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** An event was just recorded: relay it now rather than at the next beat (not while backing off). */
  nudge(): void {
    if (this.backoffMs === 0) this.wake?.();
  }

  /** Finishes the pass under way and stops; unsent events stay in the database for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  /**
   * One pass: claims a batch and queues it in order; stops at the first queue failure and gives the
   * rest back. An event that cannot be sent for a reason of its own (a sealed field that does not
   * open with this key, a payload its job no longer accepts) is given back with its error and the
   * pass goes on: it waits, with its aggregate's later events, for an operator, and blocks no one else.
   */
  async relayOnce(): Promise<{ sent: number; failed: boolean }> {
    const events = await this.deps.outbox.claim(this.batchSize, this.leaseMs);
    let sent = 0;
    let stuck = false;
    for (const [index, event] of events.entries()) {
      try {
        await this.send(event);
        sent += 1;
      } catch (error) {
        if (error instanceof QueueSealingError || error instanceof QueueValidationError) {
          await this.deps.outbox.release([event.id], { id: event.id, error: error.message });
          this.deps.metrics.failures.inc();
          this.deps.logger.error(
            { err: error, job: event.job, event: event.id },
            'outbox: event cannot be queued as recorded; it stays in the database',
          );
          stuck = true;
          continue;
        }
        const rest = events.slice(index).map((unsent) => unsent.id);
        await this.deps.outbox.release(rest, { id: event.id, error: (error as Error).message });
        this.deps.metrics.failures.inc();
        this.deps.logger.warn(
          { err: error, job: event.job, waiting: rest.length },
          'outbox: event not queued yet; it stays in the database and is retried',
        );
        return { sent, failed: true };
      }
    }
    // A stuck event is retried after a backoff, like a queue failure, not at every beat.
    return { sent, failed: stuck };
  }

  private async send(event: OutboxEvent): Promise<void> {
    const queue = this.deps.queues[event.queue];
    if (!queue) throw new Error(`no producer for queue ${event.queue}`);
    const payload = this.deps.payloads.opened(event);
    await queue.enqueue(event.job, payload, { idempotencyKey: event.idempotencyKey });
    await this.deps.outbox.markSent(event);
    this.deps.metrics.relayed.inc({ job: event.job });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let result: { sent: number; failed: boolean };
      try {
        result = await this.relayOnce();
      } catch (error) {
        // The database itself failed: try again later, like a queue failure.
        this.deps.logger.error({ err: error }, 'outbox: relay pass failed');
        result = { sent: 0, failed: true };
      }
      this.backoffMs = result.failed
        ? Math.min(this.maxBackoffMs, Math.max(this.idleMs, this.backoffMs * 2))
        : 0;
      // A full batch may have more behind it: go on at once.
      if (!result.failed && result.sent === this.batchSize) continue;
      await this.sleep(result.failed ? this.backoffMs : this.idleMs);
    }
  }

  /** Waits `ms`, or less when nudged or stopped. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
