// `npm run seed [-- --reset]`: fills the api's database (PGlite under API_DATA_DIR, or DATABASE_URL)
// with a demo referral network. Stop the api first when it uses PGlite: PGlite serves one process.
// First: the .env files' values must be in process.env before config.ts reads it.
import '../env-files.js';
import { createLogger } from '@rnh/telemetry';
import { Cache } from '@rnh/cache';
import { RedisConnections } from '@rnh/redis-client';
import { Registry } from 'prom-client';
import { cacheNamespaces } from '../cache/namespaces.js';
import { ConfigError, loadConfig, type ApiConfig } from '../config.js';
import { createDatabase } from '../db/database.js';
import { DatabaseStartupError } from '../db/errors.js';
import { join, resolve } from 'node:path';
import { SEED_EMAIL_DOMAIN } from '../seed/demo-data.js';
import { seedDatabase } from '../seed/seed-database.js';
import { PasswordHasher } from '../users/passwords.js';
import { checkFlags } from './flags.js';

const DEMO_PASSWORD = 'demo-password';

const USAGE = `Usage: npm run seed [-- --reset]

Fills the api's database with a demo referral network (800 users, 120 organizations,
6000 referrals) and prints a demo login. The database is the api's: DATABASE_URL, or PGlite
under API_DATA_DIR (default apps/api/.data). PGlite serves one process: stop the api first.

  --reset   replace earlier demo rows (and clear the api's cache namespaces); other accounts stay
  --help    this text`;

async function main(): Promise<number> {
  const values = { reset: checkFlags('seed', USAGE, ['--reset']).has('--reset') };
  const config = loadConfig();
  const logger = createLogger({ name: 'seed', level: 'warn' });
  const database = await createDatabase({
    url: config.databaseUrl,
    dataDir: join(resolve(config.dataDir), 'pglite'),
    logger,
  });
  const started = performance.now();
  try {
    const where =
      database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${resolve(config.dataDir)}`;
    process.stdout.write(`Seeding ${where}\n`);
    const result = await seedDatabase(database.db, {
      passwordHash: await new PasswordHasher({ cost: config.passwords.hashCost }).hash(DEMO_PASSWORD),
      reset: values.reset,
      progress: showProgress,
    });
    if (!result.seeded) {
      process.stdout.write(
        `Already seeded: ${result.existingUsers} demo users (@${SEED_EMAIL_DOMAIN}) exist. Run \`npm run seed -- --reset\` to replace them.\n`,
      );
      return 0;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const summary = Object.entries(result.counts)
      .map(([table, count]) => `${count} ${table}`)
      .join(', ');
    if (result.removed > 0)
      process.stdout.write(`Replaced ${result.removed} earlier demo users and their organizations.\n`);
    process.stdout.write(`Done in ${seconds} s: ${summary}.\n`);
    process.stdout.write(
      `Sign in as demo@${SEED_EMAIL_DOMAIN} / ${DEMO_PASSWORD} (every demo user has that password).\n`,
    );
    if (result.removed > 0) await clearApiCache(config);
    return 0;
  } finally {
    await database.close();
  }
}

/** One line per table; on a terminal the line counts up as chunks land. */
function showProgress(table: string, done: number, total: number): void {
  const line = `  ${table.padEnd(13)} ${String(done).padStart(6)} / ${total}`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}${done === total ? '\n' : ''}`);
  else if (done === total) process.stdout.write(`${line}\n`);
}

/** Replaced rows must not live on in Redis: clear the api's cache namespaces (SCAN + UNLINK). */
async function clearApiCache(config: ApiConfig): Promise<void> {
  const logger = createLogger({ name: 'seed', level: 'silent' });
  const connections = new RedisConnections({ options: config.redis, logger, registry: new Registry() });
  try {
    const cache = new Cache(
      {
        redis: connections.shared('commands'),
        keys: connections.keys.child('cache'),
        logger,
        registry: new Registry(),
      },
      { name: 'api' },
    );
    let removed = 0;
    for (const namespace of Object.values(cacheNamespaces))
      removed += await cache.namespace(namespace).clear();
    process.stdout.write(`Cleared ${removed} cached entries of the replaced data.\n`);
  } catch {
    process.stdout.write(
      'Redis is not reachable: cached copies of the replaced data expire with their TTL.\n',
    );
  } finally {
    await connections.close(1000);
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DatabaseStartupError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`seed failed: ${String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = 1;
  },
);
