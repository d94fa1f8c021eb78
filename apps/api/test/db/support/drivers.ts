// Both database drivers, for repository tests that must behave the same on each:
// embedded PGlite (in memory) and a real PostgreSQL (a database of the test's own).
import { afterAll, beforeAll } from 'vitest';
import { createDatabase, type Database } from '../../../src/db/database.js';
import { captureLogger } from './logger.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export interface Driver {
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

export const drivers: [string, () => Driver][] = [
  [
    'pglite',
    () => ({
      open: () => createDatabase({ dataDir: 'memory://', logger: captureLogger().logger }),
      cleanup: async () => undefined,
    }),
  ],
  [
    'postgres',
    () => {
      let target: TestDatabase | undefined;
      return {
        async open() {
          target = await createTestDatabase();
          return createDatabase({ url: target.url, dataDir: 'unused', logger: captureLogger().logger });
        },
        cleanup: async () => target?.drop(),
      };
    },
  ],
];

/** Opens the driver's database before the file's tests (for its own beforeAll to use) and closes it after. */
export function useDriverDatabase(makeDriver: () => Driver): { readonly database: Database } {
  const driver = makeDriver();
  let database: Database | undefined;
  beforeAll(async () => {
    database = await driver.open();
  });
  afterAll(async () => {
    await database?.close();
    await driver.cleanup();
  });
  return {
    get database() {
      return database!;
    },
  };
}
