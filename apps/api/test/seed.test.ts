// `npm run seed`: a consistent demo network, written once, replaced only when asked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/db/database.js';
import { seedDatabase } from '../src/seed/seed-database.js';
import { captureLogger } from './db/support/logger.js';
import { FAST_PASSWORD_HASHING, apiDir } from './support/api-env.js';

const SMALL = { users: 40, organizations: 8, referrals: 300, invites: 12 };

describe('seedDatabase', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createDatabase({ dataDir: 'memory://', logger: captureLogger().logger });
  });
  afterAll(() => database?.close());

  it('writes a consistent network: one owner per organization, referrals between two organizations, all statuses', async () => {
    const result = await seedDatabase(database.db, { scale: SMALL, passwordHash: 'x' });
    expect(result).toMatchObject({
      seeded: true,
      counts: { users: 40, organizations: 8, referrals: 300, invites: 12 },
    });
    const owners = await database.db
      .selectFrom('memberships')
      .select(['organization_id', sql<number>`count(*)::int`.as('owners')])
      .where('role', '=', 'owner')
      .groupBy('organization_id')
      .execute();
    expect(owners).toHaveLength(8);
    expect(owners.every((row) => row.owners === 1)).toBe(true);
    const statuses = await database.db
      .selectFrom('referrals')
      .select(['status', sql<number>`count(*)::int`.as('n')])
      .groupBy('status')
      .execute();
    expect(statuses.map((row) => row.status).sort()).toEqual([
      'accepted',
      'completed',
      'declined',
      'pending',
    ]);
    const { self } = await database.db
      .selectFrom('referrals')
      .select(sql<number>`count(*) filter (where from_organization_id = to_organization_id)::int`.as('self'))
      .executeTakeFirstOrThrow();
    expect(self).toBe(0);
  });

  it('refuses to seed twice; --reset replaces the demo rows and leaves everyone else alone', async () => {
    await database.db
      .insertInto('users')
      .values({ email: 'real@example.com', display_name: 'Real', password_hash: 'x' })
      .execute();
    expect(await seedDatabase(database.db, { scale: SMALL, passwordHash: 'x' })).toEqual({
      seeded: false,
      existingUsers: 40,
    });
    const replaced = await seedDatabase(database.db, { scale: SMALL, passwordHash: 'x', reset: true });
    expect(replaced).toMatchObject({ seeded: true, removed: 40 });
    const { users } = await database.db
      .selectFrom('users')
      .select(sql<number>`count(*)::int`.as('users'))
      .executeTakeFirstOrThrow();
    expect(users).toBe(41);
    const { referrals } = await database.db
      .selectFrom('referrals')
      .select(sql<number>`count(*)::int`.as('referrals'))
      .executeTakeFirstOrThrow();
    expect(referrals).toBe(300);
  });
});

describe('the seed command', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rnh-seed-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['dist/scripts/seed.js', ...args], {
      cwd: apiDir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test', // no .env file of the developer's
        API_DATA_DIR: dataDir,
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_CONNECT_TIMEOUT: '200',
        ...FAST_PASSWORD_HASHING,
      },
    });

  it('fills an empty PGlite database with thousands of rows, says how to sign in, and refuses a second run', async () => {
    const first = await run();
    expect(first.stdout).toMatch(/referrals\s+6000 \/ 6000/);
    expect(first.stdout).toMatch(
      /Done in [\d.]+ s: 800 users, 120 organizations, \d+ memberships, 6000 referrals, 300 invites\./,
    );
    expect(first.stdout).toContain('Sign in as demo@seed.example.com / demo-password');
    const second = await run();
    expect(second.stdout).toContain('Already seeded: 800 demo users');
  });

  it('names the variable when the configuration is wrong, and exits 2', async () => {
    const failed = await promisify(execFile)(process.execPath, ['dist/scripts/seed.js'], {
      cwd: apiDir,
      env: { PATH: process.env.PATH, NODE_ENV: 'test', API_DATA_DIR: dataDir, DATABASE_URL: 'mysql://nope' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain(
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
    );
  });
});
