// PostgreSQL error codes, read the same way from node-postgres and PGlite (both raise errors with `code` and `constraint`).

/** SQLSTATE 23505; with `constraint`, only a violation of that unique index or constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const { code, constraint: violated } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  if (code !== '23505') return false;
  return constraint === undefined || violated === undefined || violated === constraint;
}
