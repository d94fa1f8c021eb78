// The page a password-reset mail links to: a form for the new password, shown again with the
// problem when the password is refused (the link is spent only by a password that is accepted).
import { html } from './html.js';
import type { Page } from './layout.js';
import { PASSWORD_MIN_LENGTH } from '../http/text.js';

export function resetPasswordPage(token: string, problem?: string): Page {
  return {
    title: 'Choose a new password',
    body: html`${problem && html`<p class="problem" role="alert" id="problem">${problem}</p>`}
      <form method="post" action="/reset-password">
        <input type="hidden" name="token" value="${token}" />
        <label for="new-password">New password</label>
        <input
          id="new-password"
          name="newPassword"
          type="password"
          autocomplete="new-password"
          required
          minlength="${PASSWORD_MIN_LENGTH}"
          aria-describedby="password-hint${problem ? ' problem' : ''}"
        />
        <p class="hint" id="password-hint">
          At least ${PASSWORD_MIN_LENGTH} characters. A long phrase is easier to remember than a short code;
          common passwords, your name and your email are refused.
        </p>
        <label for="confirm-password">The same password again</label>
        <input
          id="confirm-password"
          name="confirmPassword"
          type="password"
          autocomplete="new-password"
          required
        />
        <button type="submit">Set the new password</button>
      </form>`,
  };
}

export function passwordChangedPage(): Page {
  return {
    title: 'Your password was changed',
    body: html`<p class="done" role="status">Your new password is set.</p>
      <p>
        Every session of your account was signed out, on every device, and API clients must sign in again:
        whoever knew the old password is locked out. Sign in with the new password.
      </p>`,
  };
}
