// Password guessing against the real api behind one trusted proxy (API_TRUST_PROXY=1): failed
// sign-ins are limited per address and email (3 per 15 min here) and per account from every
// address together (4 per 15 min), except from a browser that signed in to the account before;
// the client address is the one the proxy saw, whatever the client wrote into X-Forwarded-For;
// wrong current passwords on /me/password count as failed sign-ins.
import { describe, expect, it } from 'vitest';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient, type JsonResponse } from './support/http-client.js';

interface ErrorBody {
  error: { code: string; message: string; retryAfterSeconds?: number };
}
const PASSWORD = 'correct horse battery';
const WRONG = 'not the password';
/** What the proxy appends: the address it received the request from. */
const via = (address: string, ...spoofed: string[]) => ({
  'x-forwarded-for': [...spoofed, address].join(', '),
});

describe('failed sign-in limits', () => {
  const stack = useApiStack('sign-in-limits', {
    env: { API_TRUST_PROXY: '1', RATE_LIMIT_AUTH: '3/15m', RATE_LIMIT_AUTH_ACCOUNT: '4/15m' },
  });

  const signup = async (email: string, address: string) => {
    const browser = new HttpClient(stack.api.url);
    await signUp(browser, { email, password: PASSWORD, displayName: 'Lim' }, via(address));
    return browser;
  };
  const login = (
    client: HttpClient,
    email: string,
    password: string,
    forwarded: string | Record<string, string>,
  ) =>
    client.post<ErrorBody>(
      '/auth/login',
      { email, password },
      typeof forwarded === 'string' ? via(forwarded) : forwarded,
    );
  const expectLimitedBy = (res: JsonResponse<ErrorBody>, limiter: string) => {
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('rate_limited');
    expect(res.headers.get('ratelimit-policy')).toMatch(new RegExp(`^"${limiter}";`));
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  };

  it('guesses at one account from many addresses are stopped per account; the real user on a known device still signs in', async () => {
    const victimsLaptop = await signup('victim@example.com', '192.0.2.10');
    // The attacker's own account gives them a known-device cookie too: of their account only.
    const attacker = await signup('attacker@example.com', '198.51.100.200');

    for (let i = 1; i <= 4; i += 1) {
      const guess = await login(
        new HttpClient(stack.api.url),
        'victim@example.com',
        `${WRONG} ${i}`,
        `198.51.100.${i}`,
      );
      expect(guess.status).toBe(401); // one guess per address: the per-address limit never triggers
    }
    const fifth = await login(new HttpClient(stack.api.url), 'victim@example.com', WRONG, '198.51.100.5');
    expectLimitedBy(fifth, 'auth_account');
    expect(fifth.body.error.message).toMatch(/device you used before/);
    expectLimitedBy(await login(attacker, 'victim@example.com', WRONG, '198.51.100.6'), 'auth_account');
    // Locked for unknown devices even with the right password.
    expectLimitedBy(
      await login(new HttpClient(stack.api.url), 'victim@example.com', PASSWORD, '203.0.113.50'),
      'auth_account',
    );

    // The victim's laptop, wherever it is now, signs in.
    const back = await login(victimsLaptop, 'victim@example.com', PASSWORD, '203.0.113.99');
    expect(back.status).toBe(200);
    expect((await victimsLaptop.get('/me', via('203.0.113.99'))).status).toBe(200);
    // A known device's own typos meet the per-address limit only.
    const typo = await login(victimsLaptop, 'victim@example.com', WRONG, '203.0.113.98');
    expect(typo.status).toBe(401);
  });

  it('with a hop count of 1, a spoofed leftmost X-Forwarded-For entry does not change the client address', async () => {
    await signup('spoof@example.com', '192.0.2.20');
    for (let i = 0; i < 3; i += 1) {
      const guess = await login(new HttpClient(stack.api.url), 'spoof@example.com', WRONG, '203.0.113.7');
      expect(guess.status).toBe(401);
    }
    // The client writes any address it likes in front of what the proxy saw: still 203.0.113.7.
    for (const spoofed of ['10.1.2.3', '198.18.0.1, 172.16.5.5']) {
      const res = await login(
        new HttpClient(stack.api.url),
        'spoof@example.com',
        WRONG,
        via('203.0.113.7', ...spoofed.split(', ')),
      );
      expectLimitedBy(res, 'auth');
    }
    // Another address (as the proxy saw it) is another client.
    expect(
      (await login(new HttpClient(stack.api.url), 'spoof@example.com', WRONG, '203.0.113.8')).status,
    ).toBe(401);
  });

  it('wrong current passwords on /me/password count as failed sign-ins, per address and per account', async () => {
    const browser = await signup('changer@example.com', '192.0.2.30');
    const change = (currentPassword: string, newPassword = 'a brand new passphrase') =>
      browser.post<ErrorBody>('/me/password', { currentPassword, newPassword }, via('192.0.2.30'));

    // A refused new password is not a guess.
    for (let i = 0; i < 4; i += 1) expect((await change(PASSWORD, 'short')).status).toBe(400);
    for (let i = 0; i < 3; i += 1) {
      const guess = await change(`${WRONG} ${i}`);
      expect(guess.status).toBe(400);
      expect(guess.body.error.code).toBe('wrong_password');
    }
    expectLimitedBy(await change(`${WRONG} 3`), 'auth');
    // The three guesses count for the account too: one more failure anywhere, and it is locked.
    expect(
      (await login(new HttpClient(stack.api.url), 'changer@example.com', WRONG, '198.51.100.30')).status,
    ).toBe(401);
    expectLimitedBy(
      await login(new HttpClient(stack.api.url), 'changer@example.com', WRONG, '198.51.100.31'),
      'auth_account',
    );
  });
});
