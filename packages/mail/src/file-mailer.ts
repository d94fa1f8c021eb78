// Development mail: each message becomes an .eml file (open it in any mail client, or read it with readMailbox).
// File names start with a timestamp, so a plain sort lists them oldest first.
import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { MailError } from './errors.js';
import type { MailLogger } from './logger.js';
import type { Mailer, MailMessage } from './mailer.js';

export function createFileMailer({
  mailDir,
  from,
  logger,
}: {
  mailDir: string;
  from: string;
  logger: MailLogger;
}): Mailer {
  try {
    mkdirSync(mailDir, { recursive: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new MailError(
      'MAIL_DIR_NOT_WRITABLE',
      `the mail directory ${mailDir} cannot be created (${reason}): choose a writable directory, or an SMTP URL to send mail`,
      {
        cause: error,
      },
    );
  }
  // Nodemailer builds the exact message SMTP would carry; we keep the bytes instead of sending them.
  const transport = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  let lastStamp = 0;

  return {
    kind: 'file',
    async send(message: MailMessage) {
      const info = await transport.sendMail({ from, ...message });
      // Strictly increasing within this process, so two messages in one millisecond still sort in order.
      lastStamp = Math.max(Date.now(), lastStamp + 1);
      const file = join(
        mailDir,
        `${new Date(lastStamp).toISOString().replace(/[:.]/g, '-')}_${safeName(info.messageId)}.eml`,
      );
      // Write then rename: a reader polling the directory never sees half a message.
      await writeFile(`${file}.tmp`, info.message as Buffer, { mode: 0o600 });
      await rename(`${file}.tmp`, file);
      // The path only: the body holds tokens.
      logger.info({ file, messageId: info.messageId }, 'mail written to file');
      return { messageId: info.messageId };
    },
    async close() {
      transport.close();
    },
  };
}

function safeName(messageId: string): string {
  return messageId
    .replace(/^<|>$/g, '')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 100);
}
