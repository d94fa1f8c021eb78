// A production api behind a TLS-terminating proxy (NODE_ENV=production, API_TRUST_PROXY=1): the
// proxy says HTTPS with X-Forwarded-Proto. A sign-in that reaches the api as plain HTTP would get
// no Secure cookie, so it is refused before any session exists; over HTTPS the cookie is set,
// and signing out clears it with the same attributes. Production responses carry HSTS. Production
// also requires a Redis password: the test's Redis has one.
import { describe, expect, it } from 'vitest';
import { useApiStack } from './support/api-stack.js';
import { HttpClient } from './support/http-client.js';
import { scanKeys } from './support/redis-keys.js';

interface ErrorBody {
  error: { code: string; message: string };
}
const PASSWORD = 'correct horse battery';
const HTTPS = { 'x-forwarded-proto': 'https' };
const REDIS_PASSWORD = 'production-redis-password';

/** The attributes of a Set-Cookie line, lowercased names, without the value or the expiry. */
function cookieAttributes(line: string | undefined): string[] {
  return (line ?? '')
    .split(';')
    .slice(1)
    .map(
      (part) =>
        part.trim().split('=')[0]!.toLowerCase() +
        (part.includes('=') ? `=${part.split('=')[1]!.toLowerCase()}` : ''),
    )
    .filter((attribute) => !/^(expires|max-age)=/.test(attribute))
    .sort();
}

describe('production behind a TLS proxy', () => {
  const stack = useApiStack('production', {
    redis: { password: REDIS_PASSWORD },
    env: {
      REDIS_PASSWORD,
      NODE_ENV: 'production',
      API_TRUST_PROXY: '1',
      JOB_SECRET_KEY: 'production-job-secret-key-of-32-chars-or-more',
      // Production refuses a cheaper hash than OWASP's minimum.
      PASSWORD_HASH_COST: '17',
    },
  });
  const sessionKeys = () =>
    scanKeys(
      `redis://:${REDIS_PASSWORD}@${stack.redis.host}:${stack.redis.port}`,
      `${stack.env.REDIS_KEY_PREFIX}sess:*`,
    );

  it('a sign-in over plain HTTP answers 403 insecure_transport, sets no cookie and leaves no session in Redis', async () => {
    const browser = new HttpClient(stack.api.url);
    const signup = await browser.post<ErrorBody>('/auth/signup', {
      email: 'plain@example.com',
      password: PASSWORD,
      displayName: 'Plain',
    });
    expect(signup.status).toBe(403);
    expect(signup.body.error.code).toBe('insecure_transport');
    expect(signup.headers.getSetCookie()).toEqual([]);
    expect(await sessionKeys()).toEqual([]);

    // Over HTTPS the account is made (the refused attempt made none: the address is free).
    expect(
      (
        await new HttpClient(stack.api.url).post(
          '/auth/signup',
          { email: 'plain@example.com', password: PASSWORD, displayName: 'Plain' },
          HTTPS,
        )
      ).status,
    ).toBe(201);
    const before = await sessionKeys();
    expect(before.length).toBeGreaterThan(0);

    for (const headers of [{}, { 'x-forwarded-proto': 'http' }] as Array<Record<string, string>>) {
      const login = await browser.post<ErrorBody>(
        '/auth/login',
        { email: 'plain@example.com', password: PASSWORD },
        headers,
      );
      expect(login.status).toBe(403);
      expect(login.body.error).toEqual({
        code: 'insecure_transport',
        message: expect.stringContaining('HTTPS'),
      });
      expect(login.headers.getSetCookie()).toEqual([]);
    }
    expect(await sessionKeys()).toEqual(before);
  });

  it('over HTTPS the Secure session cookie is set, and signing out clears it with the same attributes', async () => {
    const browser = new HttpClient(stack.api.url);
    const signup = await browser.post(
      '/auth/signup',
      { email: 'secure@example.com', password: PASSWORD, displayName: 'Secure' },
      HTTPS,
    );
    expect(signup.status).toBe(201);
    const login = await browser.post(
      '/auth/login',
      { email: 'secure@example.com', password: PASSWORD },
      HTTPS,
    );
    expect(login.status).toBe(200);
    const set = login.headers.getSetCookie().find((line) => line.startsWith('sid='));
    expect(cookieAttributes(set)).toEqual(['httponly', 'path=/', 'samesite=lax', 'secure']);
    expect((await browser.get('/me', HTTPS)).status).toBe(200);

    const logout = await browser.post('/auth/logout', undefined, HTTPS);
    expect(logout.status).toBe(204);
    const cleared = logout.headers.getSetCookie().find((line) => line.startsWith('sid='));
    expect(cleared).toMatch(/^sid=;/);
    expect(cleared).toMatch(/expires=thu, 01 jan 1970/i);
    expect(cookieAttributes(cleared)).toEqual(cookieAttributes(set));
    expect((await browser.get('/me', HTTPS)).status).toBe(401);
  });

  it('answers with Strict-Transport-Security', async () => {
    const res = await fetch(`${stack.api.url}/health`, { headers: HTTPS });
    expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
  });
});
