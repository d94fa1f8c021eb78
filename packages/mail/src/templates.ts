// The emails the platform sends, as plain functions: `{ subject, text, html }` from a link. No template engine;
// every interpolated value goes through `escapeHtml` in the HTML part.

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export function emailVerificationMessage({
  link,
  displayName,
}: {
  link: string;
  displayName: string;
}): MailContent {
  return compose({
    subject: 'Confirm your email address',
    greeting: `Hi ${displayName},`,
    lead: 'Please confirm your email address for your Referral Network Hub account.',
    action: 'Confirm email address',
    link,
    footer: 'If you did not create an account, you can ignore this email.',
  });
}

export function passwordResetMessage({
  link,
  displayName,
}: {
  link: string;
  displayName: string;
}): MailContent {
  return compose({
    subject: 'Reset your password',
    greeting: `Hi ${displayName},`,
    lead: 'Someone asked to reset the password of your Referral Network Hub account. This link works once.',
    action: 'Choose a new password',
    link,
    footer: 'If it was not you, ignore this email: your password stays as it is.',
  });
}

export function inviteMessage({
  link,
  inviterName,
  networkName,
}: {
  link: string;
  inviterName: string;
  networkName?: string;
}): MailContent {
  const where = networkName ? `the ${networkName} network` : 'the Referral Network Hub';
  return compose({
    subject: `${inviterName} invited you to ${where}`,
    greeting: 'Hello,',
    lead: `${inviterName} invited you to join ${where}.`,
    action: 'Accept the invitation',
    link,
    footer: 'If you do not know the sender, you can ignore this email.',
  });
}

const REFERRAL_EVENT_WORDS = {
  created: 'was referred',
  accepted: 'was accepted',
  declined: 'was declined',
  completed: 'was completed',
} as const;

export function referralUpdateMessage({
  link,
  displayName,
  candidateName,
  event,
  fromOrganization,
  toOrganization,
}: {
  link: string;
  displayName: string;
  candidateName: string;
  event: keyof typeof REFERRAL_EVENT_WORDS;
  fromOrganization: string;
  toOrganization: string;
}): MailContent {
  const what =
    event === 'created'
      ? `${candidateName} was referred from ${fromOrganization} to ${toOrganization}.`
      : `The referral of ${candidateName} from ${fromOrganization} to ${toOrganization} ${REFERRAL_EVENT_WORDS[event]}.`;
  return compose({
    subject: `Referral of ${candidateName}: ${event}`,
    greeting: `Hi ${displayName},`,
    lead: what,
    action: 'Open the referral',
    link,
    footer: 'You get this email as a member of one of these organizations.',
  });
}

export function referralDigestMessage({
  link,
  displayName,
  organizations,
}: {
  link: string;
  displayName: string;
  organizations: { name: string; pending: number }[];
}): MailContent {
  const total = organizations.reduce((sum, organization) => sum + organization.pending, 0);
  const lines = organizations.map((organization) => `${organization.name}: ${organization.pending} pending`);
  return compose({
    subject: `${total} referral${total === 1 ? '' : 's'} waiting for an answer`,
    greeting: `Hi ${displayName},`,
    lead: `Referrals waiting for your organizations' answer. ${lines.join('; ')}.`,
    action: 'Review referrals',
    link,
    footer: 'You get this daily summary while referrals to your organizations are pending.',
  });
}

interface Parts {
  subject: string;
  greeting: string;
  lead: string;
  action: string;
  link: string;
  footer: string;
}

function compose({ subject, greeting, lead, action, link, footer }: Parts): MailContent {
  const text = [greeting, '', lead, '', `${action}:`, link, '', footer, ''].join('\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.5">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(lead)}</p>`,
    `<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>`,
    `<p style="font-size: small">Or paste this link into your browser:<br>${escapeHtml(link)}</p>`,
    `<p style="color: #666">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');
  // Names come from users: no line breaks in a header.
  return { subject: subject.replace(/[\r\n]+/g, ' '), text, html };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
