// Password policy and hashing through the real api process: a new password (sign-up, change,
// reset) is refused when it is a common one, holds the user's email or name, or is the current
// one; and a hash made at an older, cheaper cost is upgraded to the default at the next sign-in.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startRedisServer, type RedisServerHandle } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../src/db/database.js';
import { UsersRepository } from '../src/users/users-repository.js';
import { captureLogger } from './db/support/logger.js';
import { apiTestEnv, startApiProcess } from './support/api-env.js';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient } from './support/http-client.js';
import { waitForTokenFor } from './support/mailbox.js';

interface ErrorBody {
  error: { code: string; message: string };
}

const MARIE = { email: 'marie.curie@example.com', displayName: 'Marie Skłodowska' };
const GOOD = 'radium and polonium glow';

describe('password policy', () => {
  const stack = useApiStack('passwords', { worker: true });

  const expectWeak = (res: { status: number; body: ErrorBody }, why: RegExp, what: string) => {
    expect(res.status, what).toBe(400);
    expect(res.body.error.code, what).toBe('weak_password');
    expect(res.body.error.message, what).toMatch(why);
  };
  const COMMON = /most common passwords/;
  const PERSONAL = /email address or your name/;

  it('sign-up refuses a common password and one made of the email or name, then accepts a good one', async () => {
    const client = new HttpClient(stack.api.url);
    const signup = (password: string) => client.post<ErrorBody>('/auth/signup', { ...MARIE, password });
    for (const password of ['password123', 'Iloveyou2', 'qwertyuiop'])
      expectWeak(await signup(password), COMMON, password);
    for (const password of ['MARIE.CURIE-1867', 'marie.curie@example.com', 'Skłodowska-1867'])
      expectWeak(await signup(password), PERSONAL, password);
    // Nothing was created by the refused attempts.
    expect((await signup(GOOD)).status).toBe(201);
  });

  it('a password change refuses the current password, a common one and a personal one', async () => {
    const client = new HttpClient(stack.api.url);
    const user = { email: 'pierre.curie@example.com', displayName: 'Pierre Curie' };
    await signUp(client, { ...user, password: GOOD });
    const change = (newPassword: string) =>
      client.post<ErrorBody>('/me/password', { currentPassword: GOOD, newPassword });

    const same = await change(GOOD);
    expect(same.status).toBe(400);
    expect(same.body.error).toEqual({
      code: 'password_reused',
      message: 'The new password must differ from the current one.',
    });
    expectWeak(await change('letmein123'), COMMON, 'common');
    expectWeak(await change('x-PIERRE-x-1859'), PERSONAL, 'name');
    // The refused attempts changed nothing: the old password still signs in.
    expect(
      (await new HttpClient(stack.api.url).post('/auth/login', { email: user.email, password: GOOD })).status,
    ).toBe(200);
    expect((await change('a lab in the rue Cuvier')).status).toBe(204);
  });

  it('a reset refuses the same rules without spending the link, which then still works', async () => {
    const client = new HttpClient(stack.api.url);
    const user = { email: 'irene.joliot@example.com', displayName: 'Irène Joliot' };
    await signUp(client, { ...user, password: GOOD });
    expect((await client.post('/auth/password-reset/request', { email: user.email })).status).toBe(202);
    const token = await waitForTokenFor(stack.mailDir(), user.email, /reset/i);
    const confirm = (newPassword: string) =>
      new HttpClient(stack.api.url).post<ErrorBody>('/auth/password-reset/confirm', { token, newPassword });

    const same = await confirm(GOOD);
    expect(same.status).toBe(400);
    expect(same.body.error.code).toBe('password_reused');
    expectWeak(await confirm('football1'), COMMON, 'common');
    expectWeak(await confirm('irene.joliot-1897'), PERSONAL, 'email local part');
    expect((await confirm('artificial radioactivity')).status).toBe(204);
    expect(
      (
        await new HttpClient(stack.api.url).post('/auth/login', {
          email: user.email,
          password: 'artificial radioactivity',
        })
      ).status,
    ).toBe(200);
  });
});

describe('password hashing cost', () => {
  let redis: RedisServerHandle;
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startRedisServer();
    env = apiTestEnv(redis.url, 'password-cost');
  });
  afterAll(async () => {
    await redis?.destroy();
    if (env) rmSync(env.API_DATA_DIR!, { recursive: true, force: true });
  });

  /** The stored hash, read with the api stopped (PGlite serves one process). */
  const storedHash = async (email: string) => {
    const database = await createDatabase({
      dataDir: join(resolve(env.API_DATA_DIR!), 'pglite'),
      logger: captureLogger().logger,
    });
    try {
      return (await new UsersRepository(database.db).findCredentialsByEmail(email))?.passwordHash;
    } finally {
      await database.close();
    }
  };

  it("upgrades a cheaper hash to the default cost (OWASP's N=2^17, r=8, p=1) at the next sign-in", async () => {
    const credentials = { email: 'rosalind@example.com', password: 'double helix photograph 51' };
    const cheap = await startApiProcess(env);
    try {
      const res = await new HttpClient(cheap.url).post('/auth/signup', {
        ...credentials,
        displayName: 'Rosalind',
      });
      expect(res.status).toBe(201);
    } finally {
      await cheap.stop();
    }
    expect(await storedHash(credentials.email)).toMatch(/^scrypt\$1024\$8\$1\$/);

    // The same data, now served at the default cost.
    const { PASSWORD_HASH_COST: _cheapCost, ...defaultCostEnv } = env;
    const upgraded = await startApiProcess(defaultCostEnv);
    try {
      const client = new HttpClient(upgraded.url);
      expect((await client.post('/auth/login', credentials)).status).toBe(200);
      // The upgraded hash is the one checked from now on.
      expect((await client.post('/auth/login', credentials)).status).toBe(200);
      expect(
        (await client.post('/auth/login', { ...credentials, password: 'wrong password 51' })).status,
      ).toBe(401);
    } finally {
      await upgraded.stop();
    }
    expect(await storedHash(credentials.email)).toMatch(
      /^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/,
    );
    // Two api starts, two database opens and three hashes at N=2^17 on a busy 2-core machine.
  }, 300_000);
});
