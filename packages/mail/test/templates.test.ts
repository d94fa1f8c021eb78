import { describe, expect, it } from 'vitest';
import { emailVerificationMessage, inviteMessage, passwordResetMessage } from '../src/templates.js';

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

describe('referral messages', () => {
  it('name the candidate, both organizations and what happened; escape what users typed', async () => {
    const { referralUpdateMessage, referralDigestMessage } = await import('../src/templates.js');
    const update = referralUpdateMessage({
      link: 'https://hub.example.com/referrals/1',
      displayName: 'Rita',
      candidateName: '<Ada>',
      event: 'accepted',
      fromOrganization: 'Acme',
      toOrganization: 'Beta',
    });
    expect(update.subject).toBe('Referral of <Ada>: accepted');
    expect(update.text).toContain('The referral of <Ada> from Acme to Beta was accepted.');
    expect(update.html).toContain('&#60;Ada&#62;');
    expect(update.html).not.toContain('<Ada>');
    const digest = referralDigestMessage({
      link: 'https://hub.example.com/referrals',
      displayName: 'Rita',
      organizations: [
        { name: 'Beta', pending: 2 },
        { name: 'Gamma', pending: 1 },
      ],
    });
    expect(digest.subject).toBe('3 referrals waiting for an answer');
    expect(digest.text).toContain('Beta: 2 pending; Gamma: 1 pending.');
  });
});
