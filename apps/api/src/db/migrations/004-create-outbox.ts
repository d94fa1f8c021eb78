// The transactional outbox: domain events recorded in the same transaction as the write that
// causes them, relayed to the job queue afterwards (when Redis is down, they wait here).
import { sql, type Kysely, type Migration } from 'kysely';

const nowMs = sql`date_trunc('milliseconds', now())`;

export const createOutbox: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('outbox')
      .addColumn('id', 'bigserial', (col) => col.primaryKey())
      .addColumn('aggregate', 'text', (col) => col.notNull())
      .addColumn('queue', 'text', (col) => col.notNull())
      .addColumn('job', 'text', (col) => col.notNull())
      .addColumn('payload', 'jsonb', (col) => col.notNull())
      .addColumn('idempotency_key', 'text', (col) => col.notNull())
      .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(nowMs))
      .addColumn('sent_at', 'timestamptz')
      .addColumn('claimed_until', 'timestamptz')
      .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .execute();
    // The relay reads only what is unsent: a partial index stays as small as the backlog.
    await db.schema
      .createIndex('outbox_unsent')
      .on('outbox')
      .columns(['aggregate', 'id'])
      .where(sql.ref('sent_at'), 'is', null)
      .execute();
    await db.schema
      .createIndex('outbox_unsent_order')
      .on('outbox')
      .column('id')
      .where(sql.ref('sent_at'), 'is', null)
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('outbox').execute();
  },
};
