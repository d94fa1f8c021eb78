// The referral network: organizations, their members, invites to join them, and referrals between them.
import { sql, type Kysely, type Migration } from 'kysely';

// Millisecond timestamps: pages are keyed on (created_at, id) and cursors carry a JS Date (ms),
// so a microsecond part would make a row compare after its own cursor and repeat on the next page.
const nowMs = sql`date_trunc('milliseconds', now())`;

export const createNetwork: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('organizations')
      .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn('name', 'text', (col) => col.notNull())
      .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('created_by', 'uuid', (col) => col.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(nowMs))
      .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(nowMs))
      .execute();

    await db.schema
      .createTable('memberships')
      .addColumn('organization_id', 'uuid', (col) =>
        col.notNull().references('organizations.id').onDelete('cascade'),
      )
      .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role', 'text', (col) => col.notNull())
      .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(nowMs))
      .addPrimaryKeyConstraint('memberships_pkey', ['organization_id', 'user_id'])
      .addCheckConstraint('memberships_role', sql`role in ('owner', 'admin', 'member')`)
      .execute();
    // "My organizations" reads by user.
    await db.schema.createIndex('memberships_user').on('memberships').columns(['user_id']).execute();

    await db.schema
      .createTable('invites')
      .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn('organization_id', 'uuid', (col) =>
        col.notNull().references('organizations.id').onDelete('cascade'),
      )
      .addColumn('email', 'text', (col) => col.notNull())
      .addColumn('role', 'text', (col) => col.notNull())
      // sha256 of the emailed token: the token itself is never stored.
      .addColumn('token_hash', 'text', (col) => col.notNull().unique())
      .addColumn('invited_by', 'uuid', (col) => col.references('users.id').onDelete('set null'))
      .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
      .addColumn('accepted_at', 'timestamptz')
      .addColumn('accepted_by', 'uuid', (col) => col.references('users.id').onDelete('set null'))
      .addColumn('revoked_at', 'timestamptz')
      .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(nowMs))
      .addCheckConstraint('invites_role', sql`role in ('admin', 'member')`)
      .addCheckConstraint('invites_email_lowercase', sql`email = lower(email)`)
      .execute();
    await db.schema
      .createIndex('invites_organization')
      .on('invites')
      .columns(['organization_id', 'created_at'])
      .execute();

    await db.schema
      .createTable('referrals')
      .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn('from_organization_id', 'uuid', (col) =>
        col.notNull().references('organizations.id').onDelete('cascade'),
      )
      .addColumn('to_organization_id', 'uuid', (col) =>
        col.notNull().references('organizations.id').onDelete('cascade'),
      )
      .addColumn('created_by', 'uuid', (col) => col.references('users.id').onDelete('set null'))
      .addColumn('candidate_name', 'text', (col) => col.notNull())
      .addColumn('candidate_email', 'text')
      .addColumn('note', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
      .addColumn('status_changed_by', 'uuid', (col) => col.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(nowMs))
      .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(nowMs))
      .addCheckConstraint('referrals_status', sql`status in ('pending', 'accepted', 'declined', 'completed')`)
      .addCheckConstraint('referrals_between_two', sql`from_organization_id <> to_organization_id`)
      .execute();
    // Listings page newest first, per organization and direction, optionally per status.
    for (const side of ['from', 'to'] as const) {
      await db.schema
        .createIndex(`referrals_${side}_listing`)
        .on('referrals')
        .columns([`${side}_organization_id`, 'status', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex(`referrals_${side}_recent`)
        .on('referrals')
        .columns([`${side}_organization_id`, 'created_at', 'id'])
        .execute();
    }
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['referrals', 'invites', 'memberships', 'organizations'])
      await db.schema.dropTable(table).execute();
  },
};
