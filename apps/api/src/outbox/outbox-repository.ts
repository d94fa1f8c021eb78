// The outbox table: events recorded with the write that causes them, claimed by a relay, marked
// sent once their job is in the queue. Claims are leases taken with FOR UPDATE SKIP LOCKED, so
// several api instances on one PostgreSQL relay without taking the same event twice. Payloads are
// stored as OutboxPayloads makes them: checked, secret fields sealed, and redacted once sent.
import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../db/schema.js';
import type { OutboxPayloads } from './outbox-payloads.js';

export interface NewOutboxEvent {
  /** What the event is about, e.g. `referral:<id>`: its events reach the queue in the order recorded. */
  aggregate: string;
  queue: string;
  job: string;
  payload: unknown;
  idempotencyKey: string;
}

export interface OutboxEvent extends NewOutboxEvent {
  id: string;
  attempts: number;
  createdAt: Date;
}

interface OutboxRow {
  id: string;
  aggregate: string;
  queue: string;
  job: string;
  payload: unknown;
  idempotency_key: string;
  attempts: number;
  created_at: Date;
}

export class OutboxRepository {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly payloads: OutboxPayloads,
  ) {}

  /**
   * Records an event: give it the transaction of the write it announces. A payload its job refuses
   * throws (QueueValidationError) and so fails that write; the `payload` of a claimed event is the
   * stored one, secret fields sealed (the relay opens them).
   */
  async add(event: NewOutboxEvent): Promise<void> {
    await this.db
      .insertInto('outbox')
      .values({
        aggregate: event.aggregate,
        queue: event.queue,
        job: event.job,
        payload: JSON.stringify(this.payloads.recorded(event)),
        idempotency_key: event.idempotencyKey,
      })
      .execute();
  }

  /**
   * Claims up to `limit` unsent events for `leaseMs`, oldest first, and of each aggregate only its
   * oldest unsent event: the next one becomes claimable once that one is sent, so an aggregate's
   * events are relayed in order even by several relays. Events another relay holds are skipped.
   */
  async claim(limit: number, leaseMs: number): Promise<OutboxEvent[]> {
    const { rows } = await sql<OutboxRow>`
      UPDATE outbox SET claimed_until = now() + ${leaseMs} * interval '1 millisecond'
      WHERE id IN (
        SELECT o.id FROM outbox o
        WHERE o.sent_at IS NULL
          AND (o.claimed_until IS NULL OR o.claimed_until < now())
          AND NOT EXISTS (
            SELECT 1 FROM outbox e WHERE e.aggregate = o.aggregate AND e.sent_at IS NULL AND e.id < o.id
          )
        ORDER BY o.id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id, aggregate, queue, job, payload, idempotency_key, attempts, created_at`.execute(this.db);
    return rows
      .map((row) => ({
        id: String(row.id),
        aggregate: row.aggregate,
        queue: row.queue,
        job: row.job,
        payload: row.payload,
        idempotencyKey: row.idempotency_key,
        attempts: row.attempts,
        createdAt: row.created_at,
      }))
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  /** The event's job is queued: it is never relayed again, and its secret fields are kept only redacted. */
  async markSent(event: OutboxEvent): Promise<void> {
    const redacted = this.payloads.redacted(event);
    await this.db
      .updateTable('outbox')
      .set({
        sent_at: sql<Date>`now()`,
        claimed_until: null,
        last_error: null,
        ...(redacted !== undefined && { payload: JSON.stringify(redacted) }),
      })
      .where('id', '=', event.id)
      .execute();
  }

  /** Gives claimed events back at once (no waiting for the lease); `error` is kept on the first one. */
  async release(ids: readonly string[], failed?: { id: string; error: string }): Promise<void> {
    if (ids.length > 0) {
      await this.db
        .updateTable('outbox')
        .set({ claimed_until: null })
        .where('id', 'in', [...ids])
        .execute();
    }
    if (failed) {
      await this.db
        .updateTable('outbox')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: failed.error.slice(0, 500) }))
        .where('id', '=', failed.id)
        .execute();
    }
  }

  /** How many events wait, and how long the oldest has. */
  async backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const row = await this.db
      .selectFrom('outbox')
      .where('sent_at', 'is', null)
      .select((eb) => [
        eb.fn.countAll<string>().as('pending'),
        sql<string | null>`extract(epoch from now() - min(created_at))`.as('oldest'),
      ])
      .executeTakeFirstOrThrow();
    return { pending: Number(row.pending), oldestAgeSeconds: Math.max(0, Number(row.oldest ?? 0)) };
  }

  /** Sent events older than `days`: the table keeps a few days of history, not everything. */
  async deleteSentBefore(days: number): Promise<number> {
    const result = await this.db
      .deleteFrom('outbox')
      .where('sent_at', '<', sql<Date>`now() - ${days} * interval '1 day'`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
