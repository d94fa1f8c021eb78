// The email queue's handlers: render the message and send it. A message the SMTP server refuses
// for good (a 5xx) is not retried; anything else (a timeout, a 4xx) is, with backoff.
import { UnrecoverableError, type JobHandlers } from '@rnh/queue';
import type { EmailJobs, LiveEvents } from '@rnh/jobs';
import type { EventFeed } from '@rnh/realtime';
import type { Logger } from '@rnh/telemetry';
import {
  emailVerificationMessage,
  inviteMessage,
  passwordResetMessage,
  referralDigestMessage,
  referralUpdateMessage,
  type MailContent,
  type Mailer,
} from '@rnh/mail';

export interface EmailHandlerDeps {
  /** The account's live feed: told when a mail it asked for is sent, or refused for good. */
  live: Pick<EventFeed<LiveEvents>, 'publish'>;
  logger: Logger;
}

/** The account a mail was asked for by (verification, reset), told how it went. */
interface Account {
  userId?: string;
  template: keyof EmailJobs;
}

export function emailHandlers(mailer: Mailer, deps: EmailHandlerDeps): JobHandlers<EmailJobs> {
  // Best effort: the mail is what matters; a lost "sent" event must not send the mail again.
  const tell = async (account: Account | undefined, status: 'sent' | 'failed') => {
    if (account?.userId === undefined) return;
    const { userId, template } = account;
    await deps.live
      .publish(userId, 'mail.status', { template, status })
      .catch((error: unknown) => deps.logger.warn({ err: error, template }, 'mail status not published'));
  };
  const send = async (to: string, content: MailContent, account?: Account) => {
    try {
      await mailer.send({ to, ...content });
    } catch (error) {
      if (isPermanentRefusal(error)) {
        await tell(account, 'failed');
        throw new UnrecoverableError(`the mail server refused the message for good`);
      }
      throw error;
    }
    await tell(account, 'sent');
  };
  return {
    email_verification: ({ to, displayName, link, userId }) =>
      send(to, emailVerificationMessage({ link, displayName }), { userId, template: 'email_verification' }),
    password_reset: ({ to, displayName, link, userId }) =>
      send(to, passwordResetMessage({ link, displayName }), { userId, template: 'password_reset' }),
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
