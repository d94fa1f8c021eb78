// Pages for a mail link that cannot be used: incomplete, expired or used, or a failure on our side.
// Each says what to do next, as the mail it came from cannot.
import { html } from './html.js';
import type { Page } from './layout.js';

/** The flows a mail link opens, each with its own way to get a new link. */
export type LinkFlow = 'verify-email' | 'reset-password' | 'invite';

const NEW_LINK: Record<LinkFlow, string> = {
  'verify-email':
    'If you confirmed your email already, there is nothing left to do. Otherwise sign in and ask for a new ' +
    'verification email (POST /me/verify-email); the link in it works once.',
  'reset-password':
    'Ask for a new reset link (POST /auth/password-reset/request with your email). Only the newest link ' +
    'works, and each works once.',
  invite: 'Ask the person who invited you to send a new invitation.',
};

/** The token is missing or cannot be one of ours: the link was cut or altered on its way. */
export function incompleteLinkPage(flow: LinkFlow): Page {
  return {
    title: 'This link is incomplete',
    body: html`<p class="problem" role="alert">The link you opened is missing its code, or part of it.</p>
      <p>
        Open the link exactly as it appears in the email. If your mail program split it over two lines, copy
        the whole link into the address bar.
      </p>
      <p>${NEW_LINK[flow]}</p>`,
  };
}

/** The token was ours but can no longer be used; `message` is the service's reason. */
export function unusableLinkPage(flow: LinkFlow, message: string): Page {
  return {
    title: 'This link can no longer be used',
    body: html`<p class="problem" role="alert">${message}</p>
      <p>${NEW_LINK[flow]}</p>`,
  };
}

/** Anything else: too many requests, a backing service down, our mistake. */
export function failurePage(status: number, message: string): Page {
  return {
    title: status === 429 ? 'Too many attempts' : 'This could not be done right now',
    body: html`<p class="problem" role="alert">${message}</p>
      <p>Open the link from the email again in a moment.</p>`,
  };
}
