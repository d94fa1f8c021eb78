// Embedded PostgreSQL (PGlite, WebAssembly) in a local directory, or in memory for tests.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { DatabaseStartupError } from './errors.js';

export const IN_MEMORY = 'memory://';

export interface OpenedPglite {
  dialect: PGliteDialect;
  /** Frees the data directory for the next process; call after the database is closed. */
  release(): void;
}

export async function openPglite(dataDir: string): Promise<OpenedPglite> {
  if (dataDir.startsWith(IN_MEMORY)) {
    return { dialect: new PGliteDialect(await PGlite.create(dataDir)), release: () => undefined };
  }
  ensureWritableDir(dataDir);
  let lock: DataDirLock;
  try {
    lock = lockDataDir(dataDir);
  } catch (error) {
    if (error instanceof DatabaseStartupError) throw error;
    throw notWritable(dataDir, error);
  }
  try {
    const pglite = await PGlite.create(dataDir);
    return { dialect: new PGliteDialect(pglite), release: () => lock.release() };
  } catch (error) {
    lock.release();
    throw new DatabaseStartupError(
      'DATA_DIR_UNREADABLE',
      `could not open the PGlite database in ${dataDir} (${describe(error)}); if it was damaged, move it away to start empty`,
      { cause: error },
    );
  }
}

// PGlite creates only the last path segment, and fails deep inside WebAssembly when it cannot write.
function ensureWritableDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw notWritable(dataDir, error);
  }
}

function notWritable(dataDir: string, error: unknown): DatabaseStartupError {
  return new DatabaseStartupError(
    'DATA_DIR_NOT_WRITABLE',
    `the PGlite data directory ${dataDir} is not writable (${describe(error)}): ` +
      'set API_DATA_DIR to a writable directory, or DATABASE_URL to use PostgreSQL',
    { cause: error },
  );
}

function describe(error: unknown): string {
  return (
    (error as NodeJS.ErrnoException | null)?.code ?? (error instanceof Error ? error.message : String(error))
  );
}
