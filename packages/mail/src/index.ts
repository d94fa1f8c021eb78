// Public API of @rnh/mail. Every export is listed here on purpose.
export { createMailer } from './mailer.js';
export type { CreateMailerOptions, Mailer, MailMessage } from './mailer.js';
export type { MailLogger } from './logger.js';
export { MailDeliveryError, MailError } from './errors.js';
export { readMailbox } from './mailbox.js';
export type { MailboxMessage } from './mailbox.js';
export {
  emailVerificationMessage,
  inviteMessage,
  passwordResetMessage,
  referralDigestMessage,
  referralUpdateMessage,
} from './templates.js';
export type { MailContent } from './templates.js';
