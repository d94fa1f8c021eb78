// Accounts. gen_random_uuid() is built into PostgreSQL 13+ (PGlite 0.4 is 17), so ids come from the database.
import { sql, type Kysely, type Migration } from 'kysely';

// Migrations see the schema as it was when they were written, not today's DatabaseSchema.
export const createUsers: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn('email', 'text', (col) => col.notNull())
      .addColumn('display_name', 'text', (col) => col.notNull())
      .addColumn('password_hash', 'text', (col) => col.notNull())
      .addColumn('email_verified_at', 'timestamptz')
      .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
      // No citext: the app lowercases, and this keeps anyone from storing a mixed-case duplicate around it.
      .addCheckConstraint('users_email_lowercase', sql`email = lower(email)`)
      .execute();
    await db.schema.createIndex('users_email_unique').on('users').column('email').unique().execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('users').execute();
  },
};
