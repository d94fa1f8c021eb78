// Coded errors of the users layer; the HTTP layer maps them to responses (http/known-errors.ts).
export type UsersErrorCode = 'EMAIL_TAKEN';

export class UsersError extends Error {
  readonly code: UsersErrorCode;

  constructor(code: UsersErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Another account already has this email (compared lowercased). The message does not repeat the address. */
export class EmailTakenError extends UsersError {
  constructor(options?: { cause?: unknown }) {
    super('EMAIL_TAKEN', 'an account with that email already exists', options);
  }
}
