// One query layer (Kysely) over either database: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
// Opening also migrates, so whoever gets a Database gets the current schema.
import { performance } from 'node:perf_hooks';
import { Kysely, sql, type Dialect } from 'kysely';
import type { Logger } from '@rnh/telemetry';
import { migrateToLatest, migrationStatus, type MigrationStatus } from './migrate.js';
import { IN_MEMORY, openPglite } from './open-pglite.js';
import { openPostgres, redactUrl } from './open-postgres.js';
import type { DatabaseSchema } from './schema.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseHealth {
  status: 'up' | 'down';
  latencyMs: number | null;
  error?: string;
}

export interface Database {
  db: Kysely<DatabaseSchema>;
  kind: DatabaseKind;
  /** Applied and pending migrations; `version` is the newest applied one. */
  migrations(): Promise<MigrationStatus>;
  /** `select 1` with a deadline; reports instead of throwing, for health endpoints. */
  health(timeoutMs?: number): Promise<DatabaseHealth>;
  /** Closes the pool or the embedded database (and frees its directory). Idempotent. */
  close(): Promise<void>;
}

export interface CreateDatabaseOptions {
  /** DATABASE_URL (`postgres://...`); when set, `dataDir` is not used. */
  url?: string | undefined;
  /** PGlite's data directory, created when missing; `memory://` for a throwaway database. */
  dataDir: string;
  logger: Logger;
}

export async function createDatabase({ url, dataDir, logger }: CreateDatabaseOptions): Promise<Database> {
  const kind: DatabaseKind = url ? 'postgres' : 'pglite';
  let dialect: Dialect;
  let release = () => undefined as void;
  if (url) {
    dialect = await openPostgres({ url, logger });
  } else {
    const opened = await openPglite(dataDir);
    dialect = opened.dialect;
    release = opened.release;
  }
  const db = new Kysely<DatabaseSchema>({ dialect });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= db.destroy().finally(release);
    return closing;
  };

  try {
    await migrateToLatest(db, logger);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  logger.info(
    { kind, where: url ? redactUrl(url) : dataDir.startsWith(IN_MEMORY) ? IN_MEMORY : dataDir },
    'database ready',
  );

  return {
    db,
    kind,
    migrations: () => migrationStatus(db),
    health: (timeoutMs) =>
      closing
        ? Promise.resolve({ status: 'down', latencyMs: null, error: 'database is closed' })
        : ping(db, timeoutMs),
    close,
  };
}

async function ping(db: Kysely<DatabaseSchema>, timeoutMs = 1_000): Promise<DatabaseHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`select 1 timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`select 1`.execute(db), deadline]);
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 1000) / 1000 };
  } catch (error) {
    return { status: 'down', latencyMs: null, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
