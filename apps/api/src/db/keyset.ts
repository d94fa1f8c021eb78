// The one keyset-pagination query shape: newest first by (created_at, id), rows after the
// cursor, and one extra row that tells toPage() whether another page exists.
import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { PageRequest } from '../http/pagination.js';

export function newestFirstPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  columns: { createdAt: string; id: string },
  page: PageRequest,
): SelectQueryBuilder<DB, TB, O> {
  const createdAt = sql.ref(columns.createdAt);
  const id = sql.ref(columns.id);
  const after = page.after;
  const filtered = after
    ? query.where(sql<SqlBool>`(${createdAt}, ${id}) < (${after.createdAt}, ${after.id})`)
    : query;
  return filtered
    .orderBy(createdAt, 'desc')
    .orderBy(id, 'desc')
    .limit(page.limit + 1);
}
