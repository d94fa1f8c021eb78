// Users in the database, as plain objects. Emails are compared lowercased; the password hash
// only leaves through findCredentialsByEmail, so it cannot slip into a response by accident.
import { sql, type Kysely } from 'kysely';
import { isUniqueViolation } from '../db/pg-errors.js';
import { isUuid } from '../db/uuid.js';
import type { DatabaseSchema, UserRow } from '../db/schema.js';
import { EmailTakenError } from './errors.js';

export { EmailTakenError, UsersError } from './errors.js';

export interface User {
  id: string;
  email: string;
  displayName: string;
  emailVerifiedAt: Date | null;
  createdAt: Date;
}

export interface UserCredentials {
  id: string;
  email: string;
  passwordHash: string;
}

export interface NewUser {
  email: string;
  displayName: string;
  passwordHash: string;
}

const USER_COLUMNS = ['id', 'email', 'display_name', 'email_verified_at', 'created_at'] as const;

export class UsersRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Inserts a user; throws EmailTakenError when the (lowercased) email exists. */
  async create(input: NewUser): Promise<User> {
    try {
      const row = await this.db
        .insertInto('users')
        .values({
          email: normalizeEmail(input.email),
          display_name: input.displayName,
          password_hash: input.passwordHash,
        })
        .returning(USER_COLUMNS)
        .executeTakeFirstOrThrow();
      return toUser(row);
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_unique')) throw new EmailTakenError({ cause: error });
      throw error;
    }
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('email', '=', normalizeEmail(email))
      .executeTakeFirst();
    return row && toUser(row);
  }

  async findById(id: string): Promise<User | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toUser(row);
  }

  /** For sign-in and password changes only. */
  async findCredentialsByEmail(email: string): Promise<UserCredentials | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'email', 'password_hash'])
      .where('email', '=', normalizeEmail(email))
      .executeTakeFirst();
    return row && { id: row.id, email: row.email, passwordHash: row.password_hash };
  }

  /** Whether the user exists (and now has this hash). */
  async updatePassword(id: string, passwordHash: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Renames the user; the updated user, or undefined when there is none. */
  async updateDisplayName(id: string, displayName: string): Promise<User | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .updateTable('users')
      .set({ display_name: displayName, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returning(USER_COLUMNS)
      .executeTakeFirst();
    return row && toUser(row);
  }

  /** Marks the email verified; the first verification time is kept. Whether the user exists. */
  async markEmailVerified(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.db
      .updateTable('users')
      .set({ email_verified_at: sql<Date>`coalesce(email_verified_at, now())`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

/** The stored form of an email: trimmed and lowercased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toUser(row: Pick<UserRow, (typeof USER_COLUMNS)[number]>): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    emailVerifiedAt: row.email_verified_at,
    createdAt: row.created_at,
  };
}
