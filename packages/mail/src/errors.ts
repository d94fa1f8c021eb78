// Coded mail errors with `cause`. Messages never contain a message body (they carry tokens) or SMTP credentials.
export type MailErrorCode = 'MAIL_DIR_NOT_WRITABLE' | 'MAIL_DELIVERY_FAILED';

export class MailError extends Error {
  readonly code: MailErrorCode;

  constructor(code: MailErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The SMTP server refused the message or could not be reached; the caller decides between retry and 503. */
export class MailDeliveryError extends MailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MAIL_DELIVERY_FAILED', message, options);
  }
}
