// A PostgreSQL server through node-postgres' pool. The first connection is made here, so a wrong
// DATABASE_URL stops the start with a clear message instead of failing the first request.
import { PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Logger } from '@rnh/telemetry';
import { DatabaseStartupError } from './errors.js';

export interface PostgresOptions {
  url: string;
  logger: Logger;
  /** How long the start waits for the first connection. */
  connectTimeoutMs?: number;
  maxConnections?: number;
}

export async function openPostgres({
  url,
  logger,
  connectTimeoutMs = 5_000,
  maxConnections = 10,
}: PostgresOptions): Promise<PostgresDialect> {
  const secret = passwordOf(url);
  let pool: Pool;
  try {
    pool = new Pool({
      connectionString: url,
      connectionTimeoutMillis: connectTimeoutMs,
      max: maxConnections,
    });
  } catch (error) {
    throw unreachable(url, error, secret);
  }
  // Without a listener, an idle connection dropped by the server (restart, failover) crashes the process.
  pool.on('error', (error) =>
    logger.warn({ err: redactError(error, secret) }, 'idle PostgreSQL connection failed'),
  );
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unreachable(url, error, secret);
  }
  return new PostgresDialect({ pool });
}

/** `postgres://user:***@host:5432/db`: safe to print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparseable URL)';
  }
}

function unreachable(url: string, error: unknown, secret: string | undefined): DatabaseStartupError {
  const safe = redactError(error, secret);
  const reason = [safe.code, safe.message].filter(Boolean).join(': ') || 'unknown error';
  return new DatabaseStartupError(
    'DATABASE_UNREACHABLE',
    `DATABASE_URL: cannot connect to ${redactUrl(url)} (${reason})`,
    { cause: safe },
  );
}

// Drivers and URL parsers may echo the connection string (TypeError's `input`); keep only a scrubbed message and code.
function redactError(error: unknown, secret: string | undefined): Error & { code?: string } {
  const raw = error instanceof Error ? error.message : String(error);
  const message = secret ? raw.split(secret).join('***') : raw;
  const code = (error as { code?: unknown } | null)?.code;
  return Object.assign(new Error(message), typeof code === 'string' ? { code } : {});
}

function passwordOf(url: string): string | undefined {
  try {
    const { password } = new URL(url);
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
