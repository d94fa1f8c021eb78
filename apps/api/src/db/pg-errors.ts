// PostgreSQL error codes, read the same way from node-postgres and PGlite (both raise errors with `code` and `constraint`).

/**
 * SQLSTATE class 22, data exception: PostgreSQL refused a value (22021 a NUL byte in text,
 * 22P02 bad syntax for the type, 22007/22008 an unreadable or out-of-range date, 22001 too long).
 */
export function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/** SQLSTATE 23505; with `constraint`, only a violation of that unique index or constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const { code, constraint: violated } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  if (code !== '23505') return false;
  return constraint === undefined || violated === undefined || violated === constraint;
}
