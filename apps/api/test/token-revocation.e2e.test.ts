// Access tokens of API clients are revocable across api instances: two real api processes on one
// Redis and one PostgreSQL; a token issued by one is refused by the other the moment the user
// changes or resets their password, signs out everywhere, or their client's refresh family is
// revoked (sign-out, reuse detected). Refresh tokens that can no longer be used answer 401.
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { startRedisServer, type AppProcess, type RedisServerHandle } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db/support/postgres.js';
import { apiTestEnv, startApiProcess, startWorkerProcess } from './support/api-env.js';
import { HttpClient } from './support/http-client.js';
import { waitForTokenFor } from './support/mailbox.js';

interface ErrorBody {
  error: { code: string; message: string };
}
interface ClientTokens {
  accessToken: string;
  refreshToken: string;
}

const PASSWORD = 'correct horse battery';

describe('access tokens are revoked across api instances', () => {
  let redis: RedisServerHandle;
  let database: TestDatabase;
  let env: Record<string, string>;
  let one: AppProcess;
  let two: AppProcess;
  let worker: AppProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    database = await createTestDatabase();
    env = apiTestEnv(redis.url, 'token-revocation', { DATABASE_URL: database.url });
    [one, two] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
    worker = await startWorkerProcess(env);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop(), worker?.stop()]);
    await redis?.destroy();
    await database?.drop();
    if (env) rmSync(env.API_DATA_DIR!, { recursive: true, force: true });
  });

  /** Signs up on instance one; returns a cookie-carrying browser of the new user. */
  const signup = async (email: string) => {
    const browser = new HttpClient(one.url);
    const res = await browser.post('/auth/signup', { email, password: PASSWORD, displayName: 'Client' });
    expect(res.status).toBe(201);
    return browser;
  };

  /** An API client's tokens, from instance one. */
  const clientTokens = async (email: string, password = PASSWORD) => {
    const res = await new HttpClient(one.url).post<ClientTokens>('/auth/token', { email, password });
    expect(res.status).toBe(200);
    return res.body;
  };

  /** GET /me on instance two with a Bearer token. */
  const meOnTwo = (accessToken: string) =>
    new HttpClient(two.url).get<ErrorBody>('/me', { authorization: `Bearer ${accessToken}` });

  const expectRevoked = async (accessToken: string) => {
    const res = await meOnTwo(accessToken);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('access_token_revoked');
  };

  /** Another user's token, to show a revocation touches nobody else. */
  const bystander = async (email: string) => {
    await signup(email);
    const { accessToken } = await clientTokens(email);
    expect((await meOnTwo(accessToken)).status).toBe(200);
    return accessToken;
  };

  it('a password change: the user’s tokens fail on the other instance at once', async () => {
    const browser = await signup('change@example.com');
    const { accessToken } = await clientTokens('change@example.com');
    const other = await bystander('change-bystander@example.com');
    // Instance two has now seen the token as valid (and may keep that answer in-process).
    expect((await meOnTwo(accessToken)).status).toBe(200);

    const changed = await browser.post('/me/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
    });
    expect(changed.status).toBe(204);
    await expectRevoked(accessToken);
    expect((await meOnTwo(other)).status).toBe(200);
    // Signing in with the new password gives a token that works everywhere.
    const fresh = await clientTokens('change@example.com', 'a brand new passphrase');
    expect((await meOnTwo(fresh.accessToken)).status).toBe(200);
  });

  it('a password reset: the user’s tokens fail on the other instance at once', async () => {
    await signup('forgotten@example.com');
    const { accessToken } = await clientTokens('forgotten@example.com');
    const other = await bystander('forgotten-bystander@example.com');
    expect((await meOnTwo(accessToken)).status).toBe(200);

    const requested = await new HttpClient(one.url).post('/auth/password-reset/request', {
      email: 'forgotten@example.com',
    });
    expect(requested.status).toBe(202);
    const token = await waitForTokenFor(
      join(env.API_DATA_DIR!, 'mail'),
      'forgotten@example.com',
      /reset your password/i,
    );
    const confirmed = await new HttpClient(one.url).post('/auth/password-reset/confirm', {
      token,
      newPassword: 'a reset passphrase',
    });
    expect(confirmed.status).toBe(204);
    await expectRevoked(accessToken);
    expect((await meOnTwo(other)).status).toBe(200);
  });

  it('signing out everywhere else: every other client’s tokens fail at once; the caller’s own keep working', async () => {
    const browser = await signup('everywhere@example.com');
    const other = await bystander('everywhere-bystander@example.com');

    // From the browser: every API client goes, the browser stays.
    const early = await clientTokens('everywhere@example.com');
    expect((await meOnTwo(early.accessToken)).status).toBe(200);
    expect((await browser.delete('/me/sessions')).status).toBe(200);
    await expectRevoked(early.accessToken);
    expect((await browser.get('/me')).status).toBe(200);

    // From an API client: the other clients (and sessions) go, the caller stays.
    const phone = await clientTokens('everywhere@example.com');
    const laptop = await clientTokens('everywhere@example.com');
    const tablet = await clientTokens('everywhere@example.com');
    for (const client of [phone, laptop, tablet])
      expect((await meOnTwo(client.accessToken)).status).toBe(200);
    const fromPhone = await new HttpClient(one.url).request('DELETE', '/me/sessions', undefined, {
      authorization: `Bearer ${phone.accessToken}`,
    });
    expect(fromPhone.status).toBe(200);
    await expectRevoked(laptop.accessToken);
    await expectRevoked(tablet.accessToken);
    expect((await meOnTwo(phone.accessToken)).status).toBe(200);
    expect((await browser.get('/me')).status).toBe(401);
    const laptopRefresh = await new HttpClient(two.url).post<ErrorBody>('/auth/refresh', {
      refreshToken: laptop.refreshToken,
    });
    expect(laptopRefresh.status).toBe(401);
    expect(laptopRefresh.body.error.code).toBe('invalid_refresh_token');
    expect((await meOnTwo(other)).status).toBe(200);
  });

  it('an API client signing out: the tokens of its refresh family fail at once, its other clients keep working', async () => {
    await signup('logout@example.com');
    const leaving = await clientTokens('logout@example.com');
    const staying = await clientTokens('logout@example.com');
    expect((await meOnTwo(leaving.accessToken)).status).toBe(200);

    const revoked = await new HttpClient(one.url).post('/auth/token/revoke', {
      refreshToken: leaving.refreshToken,
    });
    expect(revoked.status).toBe(204);
    await expectRevoked(leaving.accessToken);
    expect((await meOnTwo(staying.accessToken)).status).toBe(200);

    // The revoked family's refresh token: 401, "sign in again" (it was 400 before).
    const refresh = await new HttpClient(two.url).post<ErrorBody>('/auth/refresh', {
      refreshToken: leaving.refreshToken,
    });
    expect(refresh.status).toBe(401);
    expect(refresh.body.error.code).toBe('invalid_refresh_token');
    // Revoking it again, or a token that never was, is no error (nothing is left to revoke).
    expect(
      (await new HttpClient(one.url).post('/auth/token/revoke', { refreshToken: leaving.refreshToken }))
        .status,
    ).toBe(204);
  });

  it('refresh-token reuse: the stolen family’s access tokens fail at once, and its refresh tokens answer 401', async () => {
    await signup('reuse@example.com');
    const other = await bystander('reuse-bystander@example.com');
    const first = await clientTokens('reuse@example.com');
    const client = new HttpClient(one.url);
    const second = await client.post<ClientTokens>('/auth/refresh', { refreshToken: first.refreshToken });
    const third = await client.post<ClientTokens>('/auth/refresh', {
      refreshToken: second.body.refreshToken,
    });
    expect(third.status).toBe(200);
    expect((await meOnTwo(third.body.accessToken)).status).toBe(200);

    // A token two rotations old comes back: theft. The family goes, with its access tokens.
    const reuse = await client.post<ErrorBody>('/auth/refresh', { refreshToken: first.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('refresh_token_reused');
    await expectRevoked(third.body.accessToken);
    const newest = await new HttpClient(two.url).post<ErrorBody>('/auth/refresh', {
      refreshToken: third.body.refreshToken,
    });
    expect(newest.status).toBe(401);
    expect(newest.body.error.code).toBe('invalid_refresh_token');
    expect((await meOnTwo(other)).status).toBe(200);
  });

  it('refresh failures that mean "sign in again" are 401; a malformed body stays 400', async () => {
    const client = new HttpClient(one.url);
    for (const refreshToken of ['not-a-refresh-token', `${'A'.repeat(22)}.${'B'.repeat(43)}`]) {
      const res = await client.post<ErrorBody>('/auth/refresh', { refreshToken });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_refresh_token');
    }
    for (const body of [{}, { refreshToken: 42 }, { refreshToken: '' }]) {
      const res = await client.post<ErrorBody>('/auth/refresh', body);
      expect(res.status).toBe(400);
    }
  });

  it('while Redis is down a Bearer request answers 503, never a guess', async () => {
    await signup('outage@example.com');
    const { accessToken } = await clientTokens('outage@example.com');
    // Valid on instance one; instance two has never checked it, so it holds no copy of the answer.
    const meOnOne = await new HttpClient(one.url).get('/me', { authorization: `Bearer ${accessToken}` });
    expect(meOnOne.status).toBe(200);
    await redis.stop();
    try {
      const during = await meOnTwo(accessToken);
      expect(during.status).toBe(503);
      expect(during.body.error.code).toBe('session_store_unavailable');
    } finally {
      await redis.restart();
    }
  });
});
