// What an outbox event's payload is at each step. Recorded: checked against its job's schema (a bad
// event fails the write that makes it, instead of waiting in the outbox forever) and its `secret`
// fields (a mail's link with a token) sealed, so the database never holds them readable. Relayed:
// opened just before the job is queued (the queue seals them again for Redis). Sent: the secret
// fields become "[redacted]", since nothing reads them again and the row stays a few days.
import {
  QueueSealingError,
  QueueValidationError,
  REDACTED,
  type QueueDefinition,
  type Sealer,
} from '@rnh/queue';
import type { NewOutboxEvent } from './outbox-repository.js';

type EventAddress = Pick<NewOutboxEvent, 'queue' | 'job' | 'idempotencyKey'>;

export class OutboxPayloads {
  /**
   * `sealer`: give it a purpose of its own (`{ purpose: 'outbox' }`), so what it seals never opens as
   * a queue's secret field. `queues`: the definitions of the queues events go to, by name.
   */
  constructor(
    private readonly sealer: Sealer,
    private readonly queues: Readonly<Record<string, QueueDefinition>>,
  ) {}

  /** The payload to store: valid for its job (QueueValidationError otherwise), secret fields sealed. */
  recorded(event: NewOutboxEvent): unknown {
    const { queue, job } = event;
    const result = this.definition(event).schema.safeParse(event.payload);
    if (!result.success)
      throw new QueueValidationError(
        queue,
        job,
        result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
    return this.mapSecrets(event, (value, field) => this.sealer.seal(value, this.where(event, field)));
  }

  /** The payload to enqueue: secret fields opened (QueueSealingError when one does not open). */
  opened(event: NewOutboxEvent): unknown {
    return this.mapSecrets(event, (value, field) => {
      try {
        return this.sealer.open(value, this.where(event, field));
      } catch (error) {
        throw new QueueSealingError(
          `secret field "${field}" of the ${event.job} event: ${(error as Error).message}`,
          { cause: error },
        );
      }
    });
  }

  /** What the row keeps once its job is queued: secret fields "[redacted]"; undefined when it has none. */
  redacted(event: NewOutboxEvent): unknown {
    return this.secretFields(event).length > 0 ? this.mapSecrets(event, () => REDACTED) : undefined;
  }

  private mapSecrets(event: NewOutboxEvent, change: (value: unknown, field: string) => unknown): unknown {
    const fields = this.secretFields(event);
    const { payload } = event;
    if (fields.length === 0 || typeof payload !== 'object' || payload === null) return payload;
    const copy: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
    for (const field of fields) if (copy[field] !== undefined) copy[field] = change(copy[field], field);
    return copy;
  }

  private secretFields(event: EventAddress): readonly string[] {
    return this.definition(event).secret ?? [];
  }

  private definition(event: EventAddress) {
    const job = this.queues[event.queue]?.jobs[event.job];
    if (!job) throw new Error(`outbox: no job "${event.job}" in queue "${event.queue}"`);
    return job;
  }

  /** Additional data of a sealed field: it opens only in the event (and field) it was sealed for. */
  private where(event: EventAddress, field: string): string {
    return JSON.stringify(['outbox', event.queue, event.job, event.idempotencyKey, field]);
  }
}
