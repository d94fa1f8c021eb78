// The development transport: real .eml files a mail client can open, read back newest first.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailError } from '../src/errors.js';
import { readMailbox } from '../src/mailbox.js';
import { createMailer, type Mailer } from '../src/mailer.js';
import { emailVerificationMessage, passwordResetMessage } from '../src/templates.js';

describe('file mailer', () => {
  let root: string;
  let mailDir: string;
  let mailer: Mailer;
  // A plain pino logger, as a user would pass.
  const { logger, lines: logLines, text: logText } = memoryLogger();

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'rnh-mail-'));
    // Not there yet: the mailer creates it.
    mailDir = join(root, 'data', 'mail');
    mailer = createMailer({ mailDir, from: 'RNH <no-reply@rnh.test>', logger });
  });
  afterAll(async () => {
    await mailer?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes a readable .eml with the headers and both bodies, and logs only its path', async () => {
    const link = 'http://localhost:3000/verify-email?token=secret-token-123';
    const { messageId } = await mailer.send({
      to: 'ada@example.com',
      ...emailVerificationMessage({ link, displayName: 'Ada' }),
    });
    expect(mailer.kind).toBe('file');
    expect(messageId).toMatch(/^<.+@.+>$/);

    const files = readdirSync(mailDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z_.+\.eml$/);
    const raw = readFileSync(join(mailDir, files[0]!), 'utf8');
    expect(raw).toMatch(/^From: RNH <no-reply@rnh\.test>\r$/m);
    expect(raw).toMatch(/^To: ada@example\.com\r$/m);
    expect(raw).toMatch(/^Subject: Confirm your email address\r$/m);
    expect(raw).toMatch(/^Content-Type: multipart\/alternative/m);
    expect(raw).toContain('secret-token-123');

    expect(logLines()).toEqual([
      expect.objectContaining({ msg: 'mail written to file', file: join(mailDir, files[0]!), messageId }),
    ]);
    expect(logText()).not.toContain('secret-token-123');
  });

  it('reads the mailbox back, newest first, with decoded headers and text', async () => {
    await mailer.send({
      to: 'grace@example.com',
      ...passwordResetMessage({
        link: 'http://localhost:3000/reset-password?token=reset-1',
        displayName: 'Grace',
      }),
    });
    await mailer.send({
      to: 'grace@example.com',
      subject: 'Grüße, Zoë ✓',
      text: `Zeile mit Ümlauten\n${'lang '.repeat(40)}\nEnde`,
    });

    const messages = await readMailbox(mailDir);
    expect(messages.map((message) => message.subject)).toEqual([
      'Grüße, Zoë ✓',
      'Reset your password',
      'Confirm your email address',
    ]);
    const [unicode, reset] = messages;
    expect(unicode).toMatchObject({
      to: 'grace@example.com',
      from: 'RNH <no-reply@rnh.test>',
      html: undefined,
    });
    expect(unicode!.text).toBe(`Zeile mit Ümlauten\n${'lang '.repeat(40)}\nEnde`);
    expect(reset!.text).toContain('http://localhost:3000/reset-password?token=reset-1');
    expect(reset!.html).toContain('href="http://localhost:3000/reset-password?token=reset-1"');
    expect(reset!.date).toBeInstanceOf(Date);
    expect(reset!.file.startsWith(mailDir)).toBe(true);
  });

  it('keeps send order in the file names even within one millisecond', async () => {
    const dir = join(root, 'burst');
    const burst = createMailer({ mailDir: dir, from: 'RNH <no-reply@rnh.test>', logger });
    for (let i = 0; i < 5; i++)
      await burst.send({ to: 'x@example.com', subject: `message ${i}`, text: String(i) });
    expect((await readMailbox(dir)).map((message) => message.subject)).toEqual([
      'message 4',
      'message 3',
      'message 2',
      'message 1',
      'message 0',
    ]);
  });

  it('sends without a logger', async () => {
    const dir = join(root, 'quiet');
    const quiet = createMailer({ mailDir: dir, from: 'RNH <no-reply@rnh.test>' });
    await quiet.send({ to: 'x@example.com', subject: 'no logger', text: 'still written' });
    expect((await readMailbox(dir)).map((message) => message.text)).toEqual(['still written']);
  });

  it('returns an empty mailbox for a directory that does not exist yet', async () => {
    expect(await readMailbox(join(root, 'nothing-here'))).toEqual([]);
  });

  it('fails at creation, naming the directory, when it cannot be made', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a directory');
    expect(() =>
      createMailer({ mailDir: join(file, 'mail'), from: 'RNH <no-reply@rnh.test>', logger }),
    ).toThrow(MailError);
    expect(() =>
      createMailer({ mailDir: join(file, 'mail'), from: 'RNH <no-reply@rnh.test>', logger }),
    ).toThrow(/a-file\/mail cannot be created \(ENOTDIR\): choose a writable directory/);
  });
});
