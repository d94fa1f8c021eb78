// Keyset pagination, newest first: a page is `{ items, nextCursor }`, and the cursor is the
// (created_at, id) of the last item, opaque to clients. Unlike OFFSET it stays fast on deep
// pages and never skips or repeats a row when new rows arrive between requests.
import { z } from 'zod';
import { isUuid } from '../db/uuid.js';
import { HttpError } from './errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageCursor {
  createdAt: Date;
  id: string;
}

export interface PageRequest {
  limit: number;
  after: PageCursor | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const pageQuery = z.object({
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor from this api')
    .optional(),
});

/** `?limit=&cursor=` from a query string; 400 with the field named when either is bad. */
export function parsePageRequest(query: unknown): PageRequest {
  const result = pageQuery.safeParse(query ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new HttpError(400, 'invalid_request', `${issue?.path.join('.')}: ${issue?.message}`);
  }
  return {
    limit: result.data.limit,
    after: result.data.cursor ? decodeCursor(result.data.cursor) : undefined,
  };
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString('base64url');
}

/** What encodeCursor writes: toISOString() of a stored timestamp, in UTC to the millisecond. */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Only what encodeCursor could have written is accepted. A Date reaches PGlite as its
 * toISOString() text, which PostgreSQL reads for years 0001-9999 only: `0000-01-01T…` or
 * `+275760-…` are valid JavaScript dates that made every paged list answer 500.
 */
function decodeCursor(text: string): PageCursor {
  const parts = Buffer.from(text, 'base64url').toString('utf8').split('|');
  const [iso = '', id] = parts;
  const createdAt = new Date(iso);
  const wellFormed =
    parts.length === 2 &&
    isUuid(id) &&
    CURSOR_TIME.test(iso) &&
    !Number.isNaN(createdAt.getTime()) &&
    createdAt.toISOString() === iso &&
    createdAt.getUTCFullYear() >= 1;
  if (!wellFormed) throw new HttpError(400, 'invalid_request', 'cursor: is not a cursor from this api');
  return { createdAt, id };
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only says that
 * another page exists.
 */
export function toPage<Row extends { createdAt: Date; id: string }, T>(
  rows: Row[],
  limit: number,
  present: (row: Row) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(present),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}
