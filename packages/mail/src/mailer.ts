// Sending mail: SMTP when SMTP_URL is set, otherwise .eml files in a local directory (development and tests).
import { createFileMailer } from './file-mailer.js';
import { silentLogger, type MailLogger } from './logger.js';
import { createSmtpMailer } from './smtp-mailer.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** `smtp` delivers; `file` writes .eml files under the mail directory. */
  readonly kind: 'smtp' | 'file';
  send(message: MailMessage): Promise<{ messageId: string }>;
  /** Closes pooled SMTP connections; the file mailer has nothing to close. Idempotent. */
  close(): Promise<void>;
}

export interface CreateMailerOptions {
  /** SMTP_URL (`smtp://` or `smtps://`, credentials in the URL); without it mail goes to `mailDir`. */
  smtpUrl?: string | undefined;
  /** Where the file mailer writes, e.g. `.data/mail`; created when missing. */
  mailDir: string;
  /** The From header, e.g. `RNH <no-reply@example.com>`. */
  from: string;
  /** Receives one `info` line per message (its id, or its file); silent when omitted. A pino logger fits. */
  logger?: MailLogger | undefined;
}

export function createMailer({ smtpUrl, mailDir, from, logger = silentLogger }: CreateMailerOptions): Mailer {
  return smtpUrl ? createSmtpMailer({ smtpUrl, from, logger }) : createFileMailer({ mailDir, from, logger });
}
