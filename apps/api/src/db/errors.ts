// Why the database could not be opened or brought up to date. Messages name the setting to fix, never a password.
export type DatabaseErrorCode =
  | 'DATA_DIR_NOT_WRITABLE'
  | 'DATA_DIR_IN_USE'
  | 'DATA_DIR_UNREADABLE'
  | 'DATABASE_UNREACHABLE'
  | 'MIGRATION_FAILED';

export class DatabaseStartupError extends Error {
  readonly code: DatabaseErrorCode;

  constructor(code: DatabaseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseStartupError';
    this.code = code;
  }
}
