// The email queue's handlers: render the message and send it. A message the SMTP server refuses
// for good (a 5xx) is not retried; anything else (a timeout, a 4xx) is, with backoff.
import { UnrecoverableError, type JobHandlers } from '@rnh/queue';
import type { EmailJobs } from '@rnh/jobs';
import {
  emailVerificationMessage,
  inviteMessage,
  passwordResetMessage,
  referralDigestMessage,
  referralUpdateMessage,
  type MailContent,
  type Mailer,
} from '@rnh/mail';

export function emailHandlers(mailer: Mailer): JobHandlers<EmailJobs> {
  const send = async (to: string, content: MailContent) => {
    try {
      await mailer.send({ to, ...content });
    } catch (error) {
      if (isPermanentRefusal(error))
        throw new UnrecoverableError(`the mail server refused the message for good`);
      throw error;
    }
  };
  return {
    email_verification: ({ to, displayName, link }) =>
      send(to, emailVerificationMessage({ link, displayName })),
    password_reset: ({ to, displayName, link }) => send(to, passwordResetMessage({ link, displayName })),
    invite: ({ to, inviterName, organizationName, link }) =>
      send(to, inviteMessage({ link, inviterName, networkName: organizationName })),
    referral_update: ({ to, ...details }) => send(to, referralUpdateMessage(details)),
    referral_digest: ({ to, displayName, organizations, link }) =>
      send(to, referralDigestMessage({ link, displayName, organizations })),
  };
}

/** SMTP 5xx on the message (not on connecting): retrying would only be refused again. */
function isPermanentRefusal(error: unknown): boolean {
  const code = (error as { cause?: { responseCode?: unknown } } | null)?.cause?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
