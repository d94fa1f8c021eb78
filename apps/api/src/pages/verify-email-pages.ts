// The page a verification mail links to, and its result. Opening the link changes nothing (mail
// scanners open links too); the button does.
import { html } from './html.js';
import type { Page } from './layout.js';

export function confirmEmailPage(token: string): Page {
  return {
    title: 'Confirm your email',
    body: html`<p>
        Confirm that this email address is yours to finish setting up your Referral Network Hub account.
      </p>
      <form method="post" action="/verify-email">
        <input type="hidden" name="token" value="${token}" />
        <button type="submit">Confirm my email</button>
      </form>`,
  };
}

export function emailConfirmedPage(email: string): Page {
  return {
    title: 'Your email is confirmed',
    body: html`<p class="done" role="status">${email} is confirmed. Thank you.</p>
      <p>You can close this page.</p>`,
  };
}
