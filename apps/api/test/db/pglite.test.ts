// Embedded PGlite: migrations at start, data that survives a restart, and the errors a user can fix.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { DatabaseStartupError } from '../../src/db/errors.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';

const ALL = Object.keys(migrations);
const LATEST = ALL.at(-1);
import { captureLogger } from './support/logger.js';

describe('PGlite in memory', () => {
  let database: Database;
  const log = captureLogger();

  beforeAll(async () => {
    database = await createDatabase({ dataDir: 'memory://', logger: log.logger });
  });
  afterAll(() => database?.close());

  it('migrates a fresh database at start', async () => {
    expect(database.kind).toBe('pglite');
    const status = await database.migrations();
    expect(status.version).toBe(LATEST);
    expect(status.pending).toEqual([]);
    expect(status.applied.map((migration) => migration.name)).toEqual(ALL);
    expect(log.messages('database migrated')).toEqual([expect.objectContaining({ applied: ALL })]);
  });

  it('creates the users table with database-generated ids and timestamps', async () => {
    const row = await database.db
      .insertInto('users')
      .values({ email: 'memory@example.com', display_name: 'M', password_hash: 'x' })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.created_at).toBeInstanceOf(Date);
    expect(row.updated_at).toBeInstanceOf(Date);
    expect(row.email_verified_at).toBeNull();
  });

  it('refuses a mixed-case email written around the repository', async () => {
    const insert = database.db
      .insertInto('users')
      .values({ email: 'Mixed@Example.com', display_name: 'M', password_hash: 'x' })
      .execute();
    await expect(insert).rejects.toMatchObject({ code: '23514' });
  });

  it('does nothing when migrated again', async () => {
    await expect(migrateToLatest(database.db, log.logger)).resolves.toEqual([]);
    expect(log.messages('database migrated')).toHaveLength(1);
  });

  it('runs plain SQL through the same query layer', async () => {
    const { rows } = await sql<{ uuid: string }>`select gen_random_uuid()::text as uuid`.execute(database.db);
    expect(rows[0]?.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports its health, and down once closed (closing twice is fine)', async () => {
    const up = await database.health();
    expect(up.status).toBe('up');
    expect(up.latencyMs).toBeGreaterThanOrEqual(0);

    await database.close();
    await database.close();
    expect(await database.health()).toMatchObject({ status: 'down', latencyMs: null });
  });
});

describe('PGlite in a directory', () => {
  let root: string;
  const { logger } = captureLogger();

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'rnh-pglite-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // One directory for the whole story: each PGlite start costs a couple of seconds.
  it('creates missing parents, takes over a stale lock, keeps data across reopen, and refuses a second opener', async () => {
    const dataDir = join(root, 'nested', 'data', 'pglite');
    const first = await createDatabase({ dataDir, logger });
    await first.db
      .insertInto('users')
      .values({ email: 'kept@example.com', display_name: 'Kept', password_hash: 'x' })
      .execute();
    const appliedAt = (await first.migrations()).applied[0]?.executedAt;
    await first.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);

    // As if the api had been killed: a lock from a process that is gone (above any pid_max).
    writeFileSync(`${dataDir}.lock`, '2147483646\n');
    const log = captureLogger();
    const second = await createDatabase({ dataDir, logger: log.logger });
    try {
      const row = await second.db
        .selectFrom('users')
        .select('display_name')
        .where('email', '=', 'kept@example.com')
        .executeTakeFirst();
      expect(row).toEqual({ display_name: 'Kept' });
      expect((await second.migrations()).applied[0]?.executedAt).toEqual(appliedAt);
      expect(log.messages('database migrated')).toEqual([]);
      expect(readFileSync(`${dataDir}.lock`, 'utf8').trim()).toBe(String(process.pid));

      const third = createDatabase({ dataDir, logger });
      await expect(third).rejects.toBeInstanceOf(DatabaseStartupError);
      await expect(third).rejects.toMatchObject({
        code: 'DATA_DIR_IN_USE',
        message: expect.stringContaining(dataDir),
      });
      // The refused opener left the lock with its owner.
      expect((await second.health()).status).toBe('up');
      expect(readFileSync(`${dataDir}.lock`, 'utf8').trim()).toBe(String(process.pid));
    } finally {
      await second.close();
    }
  });

  it('says which directory is not writable and which variable to change', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a directory');
    const opening = createDatabase({ dataDir: join(file, 'pglite'), logger });
    await expect(opening).rejects.toMatchObject({
      code: 'DATA_DIR_NOT_WRITABLE',
      message: expect.stringMatching(/a-file\/pglite is not writable \(ENOTDIR\).*API_DATA_DIR/),
    });
  });
});
