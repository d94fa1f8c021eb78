// Brings the schema up to date at start. Kysely's migrator holds a PostgreSQL advisory lock while it works,
// so api instances starting together migrate once; the others wait, then find nothing to do.
import { Migrator, type Kysely } from 'kysely';
import type { Logger } from '@rnh/telemetry';
import { DatabaseStartupError } from './errors.js';
import { migrationProvider } from './migrations/index.js';

export interface MigrationStatus {
  /** The newest applied migration, or null on an empty database. */
  version: string | null;
  applied: { name: string; executedAt: Date }[];
  pending: string[];
}

// Generic over the schema type: the migrator only needs the connection.
function migrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({ db, provider: migrationProvider });
}

/** Runs the pending migrations; returns the names it applied (none when already current). */
export async function migrateToLatest<DB>(db: Kysely<DB>, logger: Logger): Promise<string[]> {
  // migrateToLatest never throws; it reports.
  const { error, results = [] } = await migrator(db).migrateToLatest();
  const failed = results.find((result) => result.status === 'Error');
  if (error !== undefined) {
    const which = failed ? `migration ${failed.migrationName}` : 'migrations';
    throw new DatabaseStartupError('MIGRATION_FAILED', `database ${which} failed: ${describe(error)}`, {
      cause: error,
    });
  }
  const applied = results
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
  if (applied.length > 0) logger.info({ applied }, 'database migrated');
  return applied;
}

export async function migrationStatus<DB>(db: Kysely<DB>): Promise<MigrationStatus> {
  const all = await migrator(db).getMigrations();
  const applied = all.flatMap(({ name, executedAt }) => (executedAt ? [{ name, executedAt }] : []));
  return {
    version: applied.at(-1)?.name ?? null,
    applied,
    pending: all.filter((migration) => !migration.executedAt).map((migration) => migration.name),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
