// Real delivery over SMTP with nodemailer's connection pool.
import { createTransport } from 'nodemailer';
import { MailDeliveryError } from './errors.js';
import type { MailLogger } from './logger.js';
import type { Mailer, MailMessage } from './mailer.js';

// Nodemailer's defaults wait minutes for a dead server; a request that sends mail should fail in seconds.
// Options in the URL's query (e.g. `?connectionTimeout=30000`) win.
const URL_DEFAULTS: Record<string, string> = {
  pool: 'true',
  connectionTimeout: '10000',
  greetingTimeout: '10000',
  socketTimeout: '30000',
};

export function createSmtpMailer({
  smtpUrl,
  from,
  logger,
}: {
  smtpUrl: string;
  from: string;
  logger: MailLogger;
}): Mailer {
  const transport = createTransport(withDefaults(smtpUrl));
  let closed = false;

  return {
    kind: 'smtp',
    async send(message: MailMessage) {
      try {
        const info = await transport.sendMail({ from, ...message });
        logger.info({ messageId: info.messageId }, 'mail sent');
        return { messageId: info.messageId };
      } catch (error) {
        const { code, responseCode } = error as { code?: string; responseCode?: number };
        const reason = [code, responseCode].filter(Boolean).join(' ') || 'error';
        throw new MailDeliveryError(`SMTP delivery failed (${reason}): ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      transport.close();
    },
  };
}

function withDefaults(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  for (const [key, value] of Object.entries(URL_DEFAULTS)) {
    if (!url.searchParams.has(key)) url.searchParams.set(key, value);
  }
  return url.toString();
}
