import { createMailer, passwordResetMessage, readMailbox } from '@rnh/mail';

// With SMTP_URL (smtp:// or smtps://) mail is delivered; without it each message is an .eml file in mailDir.
const mailDir = process.env.MAIL_DIR ?? '.data/mail';
const mailer = createMailer({
  smtpUrl: process.env.SMTP_URL,
  mailDir,
  from: 'Example <no-reply@example.com>',
});

await mailer.send({
  to: 'ada@example.com',
  ...passwordResetMessage({ link: 'https://example.com/reset?token=abc', displayName: 'Ada' }),
});
console.log(mailer.kind);

if (mailer.kind === 'file') {
  const [newest] = await readMailbox(mailDir); // newest first
  console.log(newest?.to, newest?.subject, newest?.text.includes('https://example.com/reset?token=abc'));
}

await mailer.close();
