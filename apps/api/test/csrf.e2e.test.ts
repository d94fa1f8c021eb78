// Cross-site request forgery against the real api with real cookies: a write that carries the
// session cookie must come from an allowed origin (API_PUBLIC_URL's, API_ALLOWED_ORIGINS);
// Bearer-token requests and clients that are not browser pages are not affected.
import { describe, expect, it } from 'vitest';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient, type JsonResponse } from './support/http-client.js';

interface ErrorBody {
  error: { code: string; message: string };
}
interface Referral {
  id: string;
  status: string;
}
const PASSWORD = 'correct horse battery';
const APP = 'https://app.example.test';
const ADMIN_APP = 'https://admin.example.test';
const EVIL = { origin: 'https://evil.example.net' };

describe('cross-site writes', () => {
  const stack = useApiStack('csrf', {
    env: { API_PUBLIC_URL: `${APP}/`, API_ALLOWED_ORIGINS: ADMIN_APP },
  });

  const signup = async (email: string) => {
    const browser = new HttpClient(stack.api.url);
    await signUp(browser, { email, password: PASSWORD, displayName: 'Csrf' });
    return browser;
  };
  const expectRejected = (res: JsonResponse<ErrorBody>) => {
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_rejected');
  };

  /** A pending referral received by `receiver`'s organization. */
  const pendingReferral = async (receiver: HttpClient) => {
    const unique = Math.random().toString(36).slice(2);
    const sender = await signup(`sender-${unique}@example.com`);
    const org = async (client: HttpClient, name: string) =>
      (await client.post<{ organization: { id: string } }>('/orgs', { name: `${name} ${unique}` })).body
        .organization.id;
    const [from, to] = [await org(sender, 'Senders'), await org(receiver, 'Receivers')];
    const made = await sender.post<{ referral: Referral }>(`/orgs/${from}/referrals`, {
      toOrganizationId: to,
      candidateName: 'Cass',
    });
    expect(made.status).toBe(201);
    return made.body.referral.id;
  };

  it('a bodiless POST /referrals/:id/decline from another site is refused; from the app it works', async () => {
    const receiver = await signup('receiver@example.com');
    const id = await pendingReferral(receiver);

    expectRejected(await receiver.request<ErrorBody>('POST', `/referrals/${id}/decline`, undefined, EVIL));
    // Without Origin, a browser's Sec-Fetch-Site tells the same.
    expectRejected(
      await receiver.request<ErrorBody>('POST', `/referrals/${id}/decline`, undefined, {
        'sec-fetch-site': 'cross-site',
      }),
    );
    expectRejected(
      await receiver.request<ErrorBody>('POST', `/referrals/${id}/decline`, undefined, { origin: 'null' }),
    );
    expect((await receiver.get<{ referral: Referral }>(`/referrals/${id}`)).body.referral.status).toBe(
      'pending',
    );

    const declined = await receiver.request<{ referral: Referral }>(
      'POST',
      `/referrals/${id}/decline`,
      undefined,
      {
        origin: APP,
        'sec-fetch-site': 'same-origin',
      },
    );
    expect(declined.status).toBe(200);
    expect(declined.body.referral.status).toBe('declined');
  });

  it('DELETE /me/sessions from another site is refused; from an allowed origin it signs the others out', async () => {
    const laptop = await signup('sessions@example.com');
    const phone = new HttpClient(stack.api.url);
    expect(
      (await phone.post('/auth/login', { email: 'sessions@example.com', password: PASSWORD })).status,
    ).toBe(200);

    expectRejected(await laptop.request<ErrorBody>('DELETE', '/me/sessions', undefined, EVIL));
    expectRejected(
      await laptop.request<ErrorBody>('DELETE', '/me/sessions', undefined, { 'sec-fetch-site': 'same-site' }),
    );
    expect((await phone.get('/me')).status).toBe(200);

    const revoked = await laptop.request<{ revoked: number }>('DELETE', '/me/sessions', undefined, {
      origin: ADMIN_APP,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toBe(1);
    expect((await phone.get('/me')).status).toBe(401);
  });

  it('a sign-in from another site is refused too (it would sign the victim in as the attacker)', async () => {
    await signup('attacker@example.com');
    const victim = new HttpClient(stack.api.url);
    expectRejected(
      await victim.post<ErrorBody>(
        '/auth/login',
        { email: 'attacker@example.com', password: PASSWORD },
        EVIL,
      ),
    );
    expect(victim.cookie('sid')).toBeUndefined();
  });

  it('Bearer-token requests, and clients that are not browser pages (no Origin, no Sec-Fetch-Site), are not affected', async () => {
    const id = await pendingReferral(await signup('client@example.com'));
    const tokens = await new HttpClient(stack.api.url).post<{ accessToken: string }>('/auth/token', {
      email: 'client@example.com',
      password: PASSWORD,
    });
    // A token, and no cookie: whatever page the request came from, it could not have been forged.
    const bearer = { authorization: `Bearer ${tokens.body.accessToken}`, ...EVIL };
    const client = new HttpClient(stack.api.url);
    const declined = await client.request<{ referral: Referral }>(
      'POST',
      `/referrals/${id}/decline`,
      undefined,
      bearer,
    );
    expect(declined.status).toBe(200);
    expect(declined.body.referral.status).toBe('declined');
    const revoked = await client.request<{ revoked: number }>('DELETE', '/me/sessions', undefined, bearer);
    expect(revoked.status).toBe(200);

    const cookieClient = await signup('curl@example.com');
    expect((await cookieClient.request('DELETE', '/me/sessions')).status).toBe(200);
  });
});
