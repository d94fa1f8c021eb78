// Account flows through the real api process over HTTP: sessions with cookies, tokens by email,
// API-client tokens, and what happens when Redis goes away or the api restarts.
import { describe, expect, it } from 'vitest';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient } from './support/http-client.js';
import { latestTokenFor, waitForTokenFor } from './support/mailbox.js';
import { scanKeys } from './support/redis-keys.js';

interface UserBody {
  user: { id: string; email: string; displayName: string; emailVerified: boolean };
}
interface ErrorBody {
  error: { code: string; message: string };
}

describe('accounts', () => {
  const stack = useApiStack('accounts', {
    worker: true,
    // Sessions must survive the Redis restart of the outage test.
    redis: { appendOnly: true },
  });

  const signup = (client: HttpClient, email: string, password = 'correct horse battery') =>
    signUp(client, { email, password, displayName: 'Ada' });

  it('signs up, keeps the session in a cookie, and verifies the email by the mailed link', async () => {
    const browser = new HttpClient(stack.api.url);
    const user = await signup(browser, 'Ada@Example.com');
    expect(user).toMatchObject({ email: 'ada@example.com', emailVerified: false });
    const cookie = browser.cookie('sid');
    expect(cookie).toBeDefined();

    const me = await browser.get<UserBody>('/me');
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(user.id);

    const token = await waitForTokenFor(stack.mailDir(), 'ada@example.com', /verify/i);
    expect(token).toBeDefined();
    const confirmed = await browser.post<UserBody>('/auth/verify-email/confirm', { token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user.emailVerified).toBe(true);

    const again = await browser.post<ErrorBody>('/auth/verify-email/confirm', { token });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('invalid_token');
  });

  it('answers bad input, a taken email and wrong credentials with clear 4xx JSON errors', async () => {
    const client = new HttpClient(stack.api.url);
    const invalid = await client.post<ErrorBody>('/auth/signup', { email: 'not-an-email', password: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toEqual({
      code: 'invalid_request',
      message: 'email: must be an email address',
    });

    await signup(client, 'taken@example.com');
    const taken = await new HttpClient(stack.api.url).post<ErrorBody>('/auth/signup', {
      email: 'taken@example.com',
      password: 'another password',
      displayName: 'B',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('email_taken');

    const wrongPassword = await new HttpClient(stack.api.url).post<ErrorBody>('/auth/login', {
      email: 'taken@example.com',
      password: 'nope-nope',
    });
    const unknownEmail = await new HttpClient(stack.api.url).post<ErrorBody>('/auth/login', {
      email: 'nobody@example.com',
      password: 'nope-nope',
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(unknownEmail.body).toEqual(wrongPassword.body);

    const anonymous = await new HttpClient(stack.api.url).get<ErrorBody>('/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');
  });

  it('gives each login a new session id, lists devices, and signs out the others', async () => {
    const laptop = new HttpClient(stack.api.url, 'Laptop Browser');
    await signup(laptop, 'devices@example.com');
    const signupCookie = laptop.cookie('sid');
    const loggedIn = await laptop.post('/auth/login', {
      email: 'devices@example.com',
      password: 'correct horse battery',
    });
    expect(loggedIn.status).toBe(200);
    expect(laptop.cookie('sid')).not.toBe(signupCookie);

    const phone = new HttpClient(stack.api.url, 'Phone Browser');
    const tablet = new HttpClient(stack.api.url, 'Tablet Browser');
    for (const device of [phone, tablet]) {
      expect(
        (
          await device.post('/auth/login', {
            email: 'devices@example.com',
            password: 'correct horse battery',
          })
        ).status,
      ).toBe(200);
    }

    const listed = await laptop.get<{
      sessions: Array<{ id: string; current: boolean; userAgent: string; ipPrefix: string }>;
    }>('/me/sessions');
    expect(listed.status).toBe(200);
    expect(listed.body.sessions.map((entry) => entry.userAgent).sort()).toEqual([
      'Laptop Browser',
      'Phone Browser',
      'Tablet Browser',
    ]);
    expect(listed.body.sessions.filter((entry) => entry.current)).toHaveLength(1);
    expect(listed.body.sessions[0]!.ipPrefix).toBe('127.0.0.0/24');
    expect(JSON.stringify(listed.body)).not.toContain(decodeURIComponent(laptop.cookie('sid')!).slice(2, 20));

    // Revoke one device by its handle.
    const phoneEntry = (
      await phone.get<{ sessions: Array<{ id: string; current: boolean }> }>('/me/sessions')
    ).body.sessions.find((entry) => entry.current)!;
    expect((await laptop.delete(`/me/sessions/${phoneEntry.id}`)).status).toBe(204);
    expect((await phone.get('/me')).status).toBe(401);

    const others = await laptop.delete<{ revoked: number }>('/me/sessions');
    expect(others.body.revoked).toBe(1);
    expect((await tablet.get('/me')).status).toBe(401);
    expect((await laptop.get('/me')).status).toBe(200);

    expect((await laptop.post('/auth/logout')).status).toBe(204);
    expect((await laptop.get('/me')).status).toBe(401);
  });

  it('changing the password signs out the other sessions', async () => {
    const first = new HttpClient(stack.api.url);
    await signup(first, 'change@example.com');
    const second = new HttpClient(stack.api.url);
    await second.post('/auth/login', { email: 'change@example.com', password: 'correct horse battery' });

    const wrong = await first.post<ErrorBody>('/me/password', {
      currentPassword: 'wrong password',
      newPassword: 'a new password',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('wrong_password');

    expect(
      (
        await first.post('/me/password', {
          currentPassword: 'correct horse battery',
          newPassword: 'a new password',
        })
      ).status,
    ).toBe(204);
    expect((await first.get('/me')).status).toBe(200);
    expect((await second.get('/me')).status).toBe(401);
    expect(
      (
        await new HttpClient(stack.api.url).post('/auth/login', {
          email: 'change@example.com',
          password: 'a new password',
        })
      ).status,
    ).toBe(200);
  });

  it('resets a forgotten password by email without telling who has an account', async () => {
    const browser = new HttpClient(stack.api.url);
    await signup(browser, 'forgot@example.com');

    const known = await new HttpClient(stack.api.url).post('/auth/password-reset/request', {
      email: 'forgot@example.com',
    });
    const unknown = await new HttpClient(stack.api.url).post('/auth/password-reset/request', {
      email: 'ghost@example.com',
    });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);
    const token = await waitForTokenFor(stack.mailDir(), 'forgot@example.com', /reset/i);
    expect(token).toBeDefined();
    // No mail for the unknown address: by now it would be there too (both requests were handled alike).
    expect(latestTokenFor(stack.mailDir(), 'ghost@example.com', /reset/i)).toBeUndefined();
    const wrongPurpose = await new HttpClient(stack.api.url).post<ErrorBody>('/auth/verify-email/confirm', {
      token,
    });
    expect(wrongPurpose.status).toBe(400);

    expect(
      (
        await new HttpClient(stack.api.url).post('/auth/password-reset/confirm', {
          token,
          newPassword: 'brand new password',
        })
      ).status,
    ).toBe(204);
    expect((await browser.get('/me')).status).toBe(401);
    const reused = await new HttpClient(stack.api.url).post<ErrorBody>('/auth/password-reset/confirm', {
      token,
      newPassword: 'another new one',
    });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('invalid_token');
    expect(
      (
        await new HttpClient(stack.api.url).post('/auth/login', {
          email: 'forgot@example.com',
          password: 'brand new password',
        })
      ).status,
    ).toBe(200);
  });

  it('rotates refresh tokens for API clients and revokes the family on reuse', async () => {
    await signup(new HttpClient(stack.api.url), 'client@example.com');
    const client = new HttpClient(stack.api.url);
    const issued = await client.post<{ accessToken: string; refreshToken: string }>('/auth/token', {
      email: 'client@example.com',
      password: 'correct horse battery',
    });
    expect(issued.status).toBe(200);
    expect((await client.get('/me', { authorization: `Bearer ${issued.body.accessToken}` })).status).toBe(
      200,
    );
    expect((await client.get('/me', { authorization: 'Bearer forged.token' })).status).toBe(401);

    const rotated = await client.post<{ refreshToken: string }>('/auth/refresh', {
      refreshToken: issued.body.refreshToken,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(issued.body.refreshToken);
    const next = await client.post<{ refreshToken: string }>('/auth/refresh', {
      refreshToken: rotated.body.refreshToken,
    });
    expect(next.status).toBe(200);

    // The first token again, long after its grace window would matter: treated as theft.
    const reuse = await client.post<ErrorBody>('/auth/refresh', { refreshToken: issued.body.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('refresh_token_reused');
    const newest = await client.post<ErrorBody>('/auth/refresh', { refreshToken: next.body.refreshToken });
    expect(newest.status).toBeGreaterThanOrEqual(400);
    expect(newest.status).toBeLessThan(500);
  });

  it('answers 503 while Redis is down, and the same cookie works again when it is back', async () => {
    const browser = new HttpClient(stack.api.url);
    await signup(browser, 'outage@example.com');
    expect((await browser.get('/me')).status).toBe(200);

    const sessionKeys = async () =>
      (await scanKeys(stack.redis.url, `${stack.env.REDIS_KEY_PREFIX}sess:*`)).length;
    const storedBefore = await sessionKeys();
    expect(storedBefore).toBeGreaterThan(0);

    await stack.redis.stop();
    const during = await browser.get<ErrorBody>('/me');
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('session_store_unavailable');

    await stack.redis.restart();
    // The test's Redis keeps an append-only file, so every session is still there.
    expect(await sessionKeys()).toBe(storedBefore);
    try {
      await expect
        .poll(async () => (await browser.get('/me')).status, { timeout: 15_000, interval: 200 })
        .toBe(200);
    } catch (error) {
      throw new Error(
        `the cookie did not work again after Redis came back; api output:\n${stack.api.output().slice(-6000)}`,
        {
          cause: error,
        },
      );
    }
    // Every part is back within seconds: a signup needs the rate limiter and the mail queue too.
    await expect
      .poll(
        async () =>
          (
            await new HttpClient(stack.api.url).post('/auth/signup', {
              email: `after-outage-${Date.now()}@example.com`,
              password: 'correct horse battery',
              displayName: 'After',
            })
          ).status,
        { timeout: 15_000, interval: 250 },
      )
      .toBe(201);
  });

  it('keeps sessions across an api restart', async () => {
    const browser = new HttpClient(stack.api.url);
    const user = await signup(browser, 'restart@example.com');
    expect(await stack.api.stop()).toEqual({ code: 0, signal: null });

    await stack.startApi();
    const again = new HttpClient(stack.api.url);
    const sid = browser.cookie('sid')!;
    const me = await again.get<UserBody>('/me', { cookie: `sid=${sid}` });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(user.id);
  });

  it('counts sessions and tokens on /metrics, with no session id or token in any label', async () => {
    const browser = new HttpClient(stack.api.url);
    await signup(browser, 'metrics@example.com');
    expect(
      (
        await new HttpClient(stack.api.url).post('/auth/login', {
          email: 'metrics@example.com',
          password: 'wrong password',
        })
      ).status,
    ).toBe(401);
    const text = await (await fetch(`${stack.api.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/sessions_created_total\{[^}]*\} [1-9]/);
    expect(text).toMatch(/tokens_issued_total\{[^}]*kind="email_verification"[^}]*\} [1-9]/);
    expect(text).toMatch(/auth_logins_total\{[^}]*outcome="invalid_credentials"[^}]*\} [1-9]/);
    const sid = decodeURIComponent(browser.cookie('sid')!).replace(/^s:/, '').split('.')[0]!;
    expect(text).not.toContain(sid);
    const token = await waitForTokenFor(stack.mailDir(), 'metrics@example.com', /verify/i);
    expect(text).not.toContain(token);
  });
});
