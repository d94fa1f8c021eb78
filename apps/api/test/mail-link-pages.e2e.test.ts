// The links in mail, clicked: the worker writes the .eml, the test opens the link in it as a
// browser would (GET, the page's HTML), submits the page's form as the browser would (urlencoded,
// the api's Origin, the cookie), and looks at the effect from outside (GET /me, signing in, the
// member list). Opening a link must change nothing: mail scanners open links before the user does.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signUp, useApiStack } from './support/api-stack.js';
import { formOf, stylesheetOf, textOf, type PageForm } from './support/html-page.js';
import { HttpClient, type PageResponse } from './support/http-client.js';
import { waitForLinkFor } from './support/mailbox.js';

interface MeBody {
  user: { id: string; email: string; emailVerified: boolean };
}
interface ErrorBody {
  error: { code: string; message: string };
}

const PASSWORD = 'correct horse battery';
const VERIFY_MAIL = /confirm your email/i;
const RESET_MAIL = /reset your password/i;

describe('mail-link pages', () => {
  const stack = useApiStack('mail-link-pages', { worker: true });

  /** The api's public origin: mail links start with it, and the browser on its pages sends it as Origin. */
  const publicOrigin = () => `http://localhost:${new URL(stack.api.url).port}`;
  /** A form POST from one of the api's own pages, as a browser sends it. */
  const fromApiPage = () => ({ origin: publicOrigin(), 'sec-fetch-site': 'same-origin' });

  /** The mailed link's path and query, to open on the api under test (it listens on 127.0.0.1). */
  const mailedLink = async (to: string, subject: RegExp, path: string) => {
    const link = await waitForLinkFor(stack.mailDir(), to, subject);
    expect(link.startsWith(`${publicOrigin()}${path}?token=`), link).toBe(true);
    const url = new URL(link);
    return { pathAndQuery: `${url.pathname}${url.search}`, token: url.searchParams.get('token')! };
  };

  /** An HTML page sent the way token pages must be: no cache, no Referer, no script, its stylesheet allowed by hash. */
  const expectTokenPage = (page: PageResponse, status: number) => {
    expect(page.status, textOf(page.html)).toBe(status);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(page.html).not.toMatch(/<script|\son[a-z]+=|https?:\/\//i);
    const stylesheet = stylesheetOf(page.html);
    expect(stylesheet).toBeDefined();
    expect(csp).toContain(`'sha256-${createHash('sha256').update(stylesheet!).digest('base64')}'`);
  };

  /** The form's fields as the browser sends them: its hidden ones plus what the user typed. */
  const submit = (
    client: HttpClient,
    form: PageForm,
    typed: Record<string, string> = {},
    headers = fromApiPage(),
  ) => {
    expect(form.method).toBe('post');
    return client.submit(form.action, { ...form.hidden, ...typed }, headers);
  };

  it('verify email: the page asks, the button confirms, the link then says it was used', async () => {
    const browser = new HttpClient(stack.api.url);
    await signUp(browser, { email: 'vera@example.com', password: PASSWORD, displayName: 'Vera' });
    const { pathAndQuery, token } = await mailedLink('vera@example.com', VERIFY_MAIL, '/verify-email');

    // A mail scanner opens the link twice; nothing is confirmed by that.
    for (const scanner of [new HttpClient(stack.api.url, 'MailScanner'), new HttpClient(stack.api.url)])
      expectTokenPage(await scanner.page(pathAndQuery), 200);
    expect((await browser.get<MeBody>('/me')).body.user.emailVerified).toBe(false);

    const page = await browser.page(pathAndQuery);
    expectTokenPage(page, 200);
    expect(textOf(page.html)).toContain('Confirm your email');
    const form = formOf(page.html)!;
    expect(form).toMatchObject({ action: '/verify-email', visible: [], buttons: ['Confirm my email'] });
    expect(form.hidden).toEqual({ token });
    // The token is in the hidden field and nowhere else on the page.
    expect(page.html.split(token)).toHaveLength(2);

    const done = await submit(browser, form);
    expectTokenPage(done, 200);
    expect(textOf(done.html)).toContain('vera@example.com is confirmed');
    expect((await browser.get<MeBody>('/me')).body.user.emailVerified).toBe(true);

    // The link again: used up, and the page says what to do.
    for (const again of [await browser.page(pathAndQuery), await submit(browser, form)]) {
      expectTokenPage(again, 400);
      expect(formOf(again.html)).toBeUndefined();
      expect(textOf(again.html)).toMatch(
        /can no longer be used.*expired or was already used.*nothing left to do/,
      );
    }
  });

  it('a form POST from another site is refused and leaves the link usable', async () => {
    const browser = new HttpClient(stack.api.url);
    await signUp(browser, { email: 'cross@example.com', password: PASSWORD, displayName: 'Cross' });
    const { pathAndQuery } = await mailedLink('cross@example.com', VERIFY_MAIL, '/verify-email');
    const form = formOf((await browser.page(pathAndQuery)).html)!;

    const forgeries: Array<Record<string, string>> = [
      { origin: 'https://evil.example.net', 'sec-fetch-site': 'cross-site' },
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const forged of forgeries) {
      const refused = await browser.request<ErrorBody>('POST', form.action, undefined, {
        ...forged,
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(refused.status, JSON.stringify(forged)).toBe(403);
      expect(refused.body.error.code).toBe('csrf_rejected');
    }
    expect((await browser.get<MeBody>('/me')).body.user.emailVerified).toBe(false);

    // The page's own browser under Referrer-Policy no-referrer sends Origin `null` (Fetch standard)
    // with Sec-Fetch-Site same-origin: that is the api's own page, and it works.
    const done = await submit(browser, form, {}, { origin: 'null', 'sec-fetch-site': 'same-origin' });
    expectTokenPage(done, 200);
    expect((await browser.get<MeBody>('/me')).body.user.emailVerified).toBe(true);
  });

  it('reset password: refused passwords show the form again; the accepted one signs every session out', async () => {
    const laptop = new HttpClient(stack.api.url);
    await signUp(laptop, { email: 'rosa@example.com', password: PASSWORD, displayName: 'Rosa Lind' });
    expect(
      (
        await new HttpClient(stack.api.url).post('/auth/password-reset/request', {
          email: 'rosa@example.com',
        })
      ).status,
    ).toBe(202);
    const { pathAndQuery, token } = await mailedLink('rosa@example.com', RESET_MAIL, '/reset-password');

    const browser = new HttpClient(stack.api.url);
    for (let scan = 0; scan < 2; scan++) expectTokenPage(await browser.page(pathAndQuery), 200);
    const page = await browser.page(pathAndQuery);
    expectTokenPage(page, 200);
    let form = formOf(page.html)!;
    expect(form).toMatchObject({ action: '/reset-password', visible: ['newPassword', 'confirmPassword'] });
    expect(form.hidden).toEqual({ token });
    expect(page.html).toMatch(/<label for="new-password">New password<\/label>/);

    const refusals: Array<[Record<string, string>, RegExp]> = [
      [{ newPassword: 'password123', confirmPassword: 'password123' }, /most common passwords/],
      [{ newPassword: 'rosa-lind-2024', confirmPassword: 'rosa-lind-2024' }, /email address or your name/],
      [{ newPassword: PASSWORD, confirmPassword: PASSWORD }, /must differ from the current one/],
      [{ newPassword: 'q7#zk', confirmPassword: 'q7#zk' }, /at least 8 characters/],
      [{ newPassword: 'a brand new phrase', confirmPassword: 'a brand new phrasE' }, /two passwords differ/],
    ];
    for (const [typed, why] of refusals) {
      const again = await submit(browser, form, typed);
      expectTokenPage(again, 400);
      expect(textOf(again.html)).toMatch(why);
      // The form again, still with the link's token, never with the typed password.
      form = formOf(again.html)!;
      expect(form.hidden).toEqual({ token });
      expect(again.html).not.toContain(typed.newPassword);
    }
    expect((await laptop.get('/me')).status).toBe(200);

    const done = await submit(browser, form, {
      newPassword: 'a brand new phrase',
      confirmPassword: 'a brand new phrase',
    });
    expectTokenPage(done, 200);
    expect(textOf(done.html)).toMatch(/password was changed.*Every session of your account was signed out/);

    expect((await laptop.get('/me')).status).toBe(401);
    const signIn = (password: string) =>
      new HttpClient(stack.api.url).post('/auth/login', { email: 'rosa@example.com', password });
    expect((await signIn(PASSWORD)).status).toBe(401);
    expect((await signIn('a brand new phrase')).status).toBe(200);

    const used = await submit(browser, form, {
      newPassword: 'another new phrase',
      confirmPassword: 'another new phrase',
    });
    expectTokenPage(used, 400);
    expect(textOf(used.html)).toMatch(/can no longer be used.*Ask for a new reset link/);
  });

  it('invite: the page shows the organization and role; only the invited account, signed in, joins', async () => {
    const owner = new HttpClient(stack.api.url);
    await signUp(owner, { email: 'olga@example.com', password: PASSWORD, displayName: 'Olga' });
    const orgName = 'Lind & <b>Partners</b> "Co"';
    const org = (await owner.post<{ organization: { id: string } }>('/orgs', { name: orgName })).body
      .organization;
    expect(
      (await owner.post(`/orgs/${org.id}/invites`, { email: 'ivan@example.com', role: 'admin' })).status,
    ).toBe(201);
    const { pathAndQuery, token } = await mailedLink('ivan@example.com', /Partners/, '/invites/accept');

    // Anonymous (a mail scanner, or Ivan before signing in): what the invitation is, and how to sign in.
    for (let scan = 0; scan < 2; scan++) {
      const anonymous = await new HttpClient(stack.api.url).page(pathAndQuery);
      expectTokenPage(anonymous, 200);
      expect(anonymous.html).not.toContain('<b>Partners</b>');
      expect(textOf(anonymous.html)).toContain(
        `You are invited to join ${orgName} on the Referral Network Hub as an admin`,
      );
      expect(textOf(anonymous.html)).toMatch(/You are not signed in.*POST \/auth\/login/);
      expect(formOf(anonymous.html)).toBeUndefined();
    }

    // A form submitted without a session: not accepted, and said so.
    const form: PageForm = {
      method: 'post',
      action: '/invites/accept',
      hidden: { token },
      visible: [],
      buttons: [],
    };
    const anonymousPost = await submit(new HttpClient(stack.api.url), form);
    expectTokenPage(anonymousPost, 401);
    expect(textOf(anonymousPost.html)).toMatch(
      /not signed in, so the invitation was not accepted. It is still valid/,
    );

    // Another account, signed in: refused, and the invitation stays valid.
    const mallory = new HttpClient(stack.api.url);
    await signUp(mallory, { email: 'mallory@example.com', password: PASSWORD, displayName: 'Mallory' });
    const malloryPage = await mallory.page(pathAndQuery);
    expect(textOf(malloryPage.html)).toContain('You are signed in as mallory@example.com');
    const wrong = await submit(mallory, formOf(malloryPage.html)!);
    expectTokenPage(wrong, 403);
    expect(textOf(wrong.html)).toMatch(
      /sent to another email address than mallory@example.com. It was not accepted and is still valid/,
    );

    const ivan = new HttpClient(stack.api.url);
    await signUp(ivan, { email: 'ivan@example.com', password: PASSWORD, displayName: 'Ivan' });
    const ivanPage = await ivan.page(pathAndQuery);
    expectTokenPage(ivanPage, 200);
    const ivanForm = formOf(ivanPage.html)!;
    expect(ivanForm).toMatchObject({
      action: '/invites/accept',
      hidden: { token },
      buttons: [`Join ${orgName}`],
    });
    const joined = await submit(ivan, ivanForm);
    expectTokenPage(joined, 200);
    expect(textOf(joined.html)).toContain(`You are now an admin of ${orgName}`);

    const members = await owner.get<{ items: Array<{ displayName: string; role: string }> }>(
      `/orgs/${org.id}/members`,
    );
    expect(members.body.items.map((member) => [member.displayName, member.role]).sort()).toEqual([
      ['Ivan', 'admin'],
      ['Olga', 'owner'],
    ]);

    const used = await ivan.page(pathAndQuery);
    expectTokenPage(used, 400);
    expect(textOf(used.html)).toMatch(
      /expired, was revoked or was already used.*Ask the person who invited you/,
    );
    expect(textOf((await submit(ivan, ivanForm)).html)).toMatch(/can no longer be used/);

    // The JSON route on the same path still answers JSON.
    const json = await ivan.post<ErrorBody>('/invites/accept', { token });
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe('invalid_token');
  });

  it('a missing, cut or unknown token is a 400 page, never a 500', async () => {
    const browser = new HttpClient(stack.api.url);
    const unknownInvite = 'A'.repeat(43);
    for (const path of ['/verify-email', '/reset-password', '/invites/accept']) {
      for (const query of ['', '?token=', '?token=a&token=b', '?token=%00x', `?token=${'x'.repeat(600)}`]) {
        const page = await browser.page(`${path}${query}`);
        expectTokenPage(page, 400);
        expect(textOf(page.html), `${path}${query}`).toContain('This link is incomplete');
      }
      const unknown = await browser.page(
        `${path}?token=${path === '/invites/accept' ? unknownInvite : 'not-a-real-token'}`,
      );
      expectTokenPage(unknown, 400);
      expect(textOf(unknown.html)).toMatch(/can no longer be used.*not valid/);
      // A form with no token at all.
      const empty = await browser.submit(path, {}, fromApiPage());
      expectTokenPage(empty, 400);
      expect(textOf(empty.html)).toContain('This link is incomplete');
    }
  });
});
