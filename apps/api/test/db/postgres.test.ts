// The machine's PostgreSQL (DATABASE_TEST_URL, else 127.0.0.1:5432): migrations on a fresh database,
// concurrent starts, and a clear, password-free error when the server is not there.
import { freePort } from '@rnh/test-utils';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';

const ALL = Object.keys(migrations);
const LATEST = ALL.at(-1);
import { captureLogger } from './support/logger.js';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from './support/postgres.js';

describe('PostgreSQL', () => {
  let target: TestDatabase;

  beforeAll(async () => {
    target = await createTestDatabase();
  });
  afterAll(() => target?.drop());

  it('migrates once when three instances start together, and each then sees the current schema', async () => {
    const logs = [captureLogger(), captureLogger(), captureLogger()];
    const databases = await Promise.all(
      logs.map(({ logger }) => createDatabase({ url: target.url, dataDir: 'unused', logger })),
    );
    try {
      expect(databases.map((database) => database.kind)).toEqual(['postgres', 'postgres', 'postgres']);
      const migrated = logs.flatMap((log) => log.messages('database migrated'));
      expect(migrated).toEqual([expect.objectContaining({ applied: ALL })]);
      for (const database of databases) {
        expect(await database.migrations()).toMatchObject({ version: LATEST, pending: [] });
      }
      const { count } = await databases[0]!.db
        .selectFrom('kysely_migration' as never)
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .executeTakeFirstOrThrow();
      expect(Number(count)).toBe(ALL.length); // each migration recorded once
    } finally {
      await Promise.all(databases.map((database) => database.close()));
    }
  });

  describe('once migrated', () => {
    let database: Database;
    const log = captureLogger();

    beforeAll(async () => {
      database = await createDatabase({ url: target.url, dataDir: 'unused', logger: log.logger });
    });
    afterAll(() => database?.close());

    it('does nothing at the next start or when migrated again', async () => {
      expect(log.messages('database migrated')).toEqual([]);
      await expect(migrateToLatest(database.db, log.logger)).resolves.toEqual([]);
    });

    it('has the users table as designed', async () => {
      const row = await database.db
        .insertInto('users')
        .values({ email: 'pg@example.com', display_name: 'P', password_hash: 'x' })
        .returningAll()
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ email: 'pg@example.com', email_verified_at: null });
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.created_at).toBeInstanceOf(Date);
      const mixedCase = database.db
        .insertInto('users')
        .values({ email: 'PG@example.com', display_name: 'P', password_hash: 'x' })
        .execute();
      await expect(mixedCase).rejects.toMatchObject({ code: '23514' });
    });

    it('reports its health, names the database without a password in the log, and is down once closed', async () => {
      expect(await database.health()).toMatchObject({ status: 'up', latencyMs: expect.any(Number) });
      expect(log.messages('database ready')).toEqual([
        expect.objectContaining({ kind: 'postgres', where: target.url }),
      ]);
      await database.close();
      expect(await database.health()).toMatchObject({ status: 'down', latencyMs: null });
    });
  });

  it('leaves no connection open after close', async () => {
    const database = await createDatabase({
      url: target.url,
      dataDir: 'unused',
      logger: captureLogger().logger,
    });
    await database.close();
    const admin = new Client({ connectionString: target.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: string }>(
        'select count(*) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [target.name],
      );
      expect(Number(rows[0]?.n)).toBe(0);
    } finally {
      await admin.end();
    }
  });
});

describe('DATABASE_URL that does not answer', () => {
  it('fails the start naming the variable and the server, never the password', async () => {
    const port = await freePort();
    const url = `postgres://rnh:s3cret-Pa55@127.0.0.1:${port}/rnh`;
    const error = await createDatabase({ url, dataDir: 'unused', logger: captureLogger().logger }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      name: 'DatabaseStartupError',
      code: 'DATABASE_UNREACHABLE',
      message: `DATABASE_URL: cannot connect to postgres://rnh:***@127.0.0.1:${port}/rnh (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port})`,
    });
    const everything =
      JSON.stringify(error, Object.getOwnPropertyNames(error)) +
      String((error as Error).cause) +
      JSON.stringify((error as Error).cause);
    expect(everything).not.toContain('s3cret-Pa55');
  });

  it('says so when the server answers but refuses, without printing the password', async () => {
    // The test server trusts local connections, so the refusal here is a database that does not exist.
    const url = new URL(ADMIN_URL);
    url.password = 'not-the-password';
    url.pathname = '/rnh_no_such_database';
    const error = await createDatabase({
      url: url.toString(),
      dataDir: 'unused',
      logger: captureLogger().logger,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'DATABASE_UNREACHABLE',
      message: expect.stringMatching(
        /^DATABASE_URL: cannot connect to .*\*\*\*.*rnh_no_such_database.*3D000/,
      ),
    });
    expect(String((error as Error).message)).not.toContain('not-the-password');
  });
});
