import { describe, expect, it } from 'vitest';
import { emailVerificationMessage, inviteMessage, passwordResetMessage } from '../../src/mail/templates.js';

describe('mail templates', () => {
  const link = 'https://app.example.com/verify-email?token=abc&x=1';

  it('puts the link in the text and the html of each message', () => {
    for (const message of [
      emailVerificationMessage({ link, displayName: 'Ada' }),
      passwordResetMessage({ link, displayName: 'Ada' }),
      inviteMessage({ link, inviterName: 'Grace' }),
    ]) {
      expect(message.subject.length).toBeGreaterThan(0);
      expect(message.text).toContain(link);
      expect(message.html).toContain('href="https://app.example.com/verify-email?token=abc&#38;x=1"');
    }
  });

  it('escapes names in the html and keeps them out of header line breaks', () => {
    const message = inviteMessage({
      link,
      inviterName: '<b>Eve</b>\r\nBcc: victim@example.com',
      networkName: 'Q&A',
    });
    expect(message.html).not.toContain('<b>Eve</b>');
    expect(message.html).toContain('&#60;b&#62;Eve&#60;/b&#62;');
    expect(message.subject).not.toMatch(/[\r\n]/);
    expect(message.subject).toContain('the Q&A network');
  });
});
