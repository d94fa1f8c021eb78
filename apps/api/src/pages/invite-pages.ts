// The page an invitation mail links to, and its results. Accepting needs the invited account
// signed in in this browser (its session cookie); opening the link changes nothing.
import { html } from './html.js';
import type { Page } from './layout.js';

export interface InviteSummary {
  organizationName: string;
  role: string;
  expiresAt: Date;
}

const SIGN_IN_HOW = html`<p>
  Sign in in this browser with the account of the address the invitation was sent to (POST /auth/login sets
  the session cookie; no account yet? sign up with that address, POST /auth/signup), then open the link from
  the email again.
</p>`;

/** `signedInAs` is the email of the signed-in account, or undefined without a session. */
export function invitePage(token: string, invite: InviteSummary, signedInAs: string | undefined): Page {
  return {
    title: `Join ${invite.organizationName}`,
    body: html`<p>
        You are invited to join <strong>${invite.organizationName}</strong> on the Referral Network Hub as
        ${article(invite.role)} <strong>${invite.role}</strong>.
      </p>
      <p class="hint">
        The invitation is valid until
        <time datetime="${invite.expiresAt.toISOString()}">${invite.expiresAt.toUTCString()}</time>.
      </p>
      ${
        signedInAs === undefined
          ? html`<p class="problem" role="alert">You are not signed in.</p>
              ${SIGN_IN_HOW}`
          : html`<p>You are signed in as <strong>${signedInAs}</strong>.</p>
              <form method="post" action="/invites/accept">
                <input type="hidden" name="token" value="${token}" />
                <button type="submit">Join ${invite.organizationName}</button>
              </form>`
      }`,
  };
}

export function joinedPage(organizationName: string, role: string): Page {
  return {
    title: `You joined ${organizationName}`,
    body: html`<p class="done" role="status">You are now ${article(role)} ${role} of ${organizationName}.</p>
      <p>You can close this page.</p>`,
  };
}

export function notSignedInPage(): Page {
  return {
    title: 'Sign in to accept the invitation',
    body: html`<p class="problem" role="alert">
        You are not signed in, so the invitation was not accepted. It is still valid.
      </p>
      ${SIGN_IN_HOW}`,
  };
}

/** Signed in, but not as the invited address: the invitation stays valid for the right account. */
export function wrongAccountPage(signedInAs: string | undefined): Page {
  return {
    title: 'This invitation is for another account',
    body: html`<p class="problem" role="alert">
        This invitation was sent to another email address${signedInAs && html` than ${signedInAs}`}. It was
        not accepted and is still valid.
      </p>
      <p>
        Sign out, sign in with the account of the address the invitation was sent to, and open the link from
        the email again.
      </p>`,
  };
}

function article(role: string): string {
  return /^[aeiou]/i.test(role) ? 'an' : 'a';
}
