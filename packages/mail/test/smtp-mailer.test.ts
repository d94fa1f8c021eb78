import { freePort, memoryLogger, startSmtpSink, type SmtpSink } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailDeliveryError } from '../src/errors.js';
import { createMailer } from '../src/mailer.js';

describe('SMTP mailer', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink.close());

  it('delivers over SMTP with the configured sender', async () => {
    const mailer = createMailer({
      smtpUrl: sink.url,
      mailDir: '/nonexistent',
      from: 'RNH <no-reply@rnh.test>',
      logger: memoryLogger().logger,
    });
    try {
      const { messageId } = await mailer.send({
        to: 'ada@example.com',
        subject: 'Hello over SMTP',
        text: 'Body line',
      });
      expect(messageId).toBeTruthy();
      expect(sink.received).toHaveLength(1);
      expect(sink.received[0]!.from).toContain('no-reply@rnh.test');
      expect(sink.received[0]!.to).toEqual(['<ada@example.com>']);
      expect(sink.received[0]!.data).toMatch(/^Subject: Hello over SMTP$/m);
      expect(sink.received[0]!.data).toContain('Body line');
    } finally {
      await mailer.close();
    }
  });

  it('fails with a MailDeliveryError when no server answers', async () => {
    const port = await freePort();
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      mailDir: '/nonexistent',
      from: 'RNH <no-reply@rnh.test>',
      logger: memoryLogger().logger,
    });
    try {
      await expect(mailer.send({ to: 'ada@example.com', subject: 's', text: 't' })).rejects.toThrow(
        MailDeliveryError,
      );
    } finally {
      await mailer.close();
    }
  });
});
