// The Redis ACL users of docs/operations.md, applied exactly as documented, carry the api and the
// worker (each on its own user, over TLS as in production) through what users do, and refuse what
// neither app needs. A refusal the apps did not expect shows in ACL LOG, which each flow checks.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { maintenanceQueue } from '@rnh/jobs';
import { QueueProducer } from '@rnh/queue';
import { testConnections } from '@rnh/test-connections';
import {
  memoryLogger,
  openSse,
  startRedisServer,
  waitFor,
  type AppProcess,
  type RedisServerHandle,
  type SseClient,
} from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentedAclUsers } from './support/acl-docs.js';
import { apiTestEnv, startApiProcess, startWorkerProcess, type ApiProcess } from './support/api-env.js';
import { signUp } from './support/api-stack.js';
import { HttpClient } from './support/http-client.js';
import { latestTokenFor, mailTo, waitForTokenFor } from './support/mailbox.js';
import { metricSum } from './support/metrics.js';

const PASSWORD = 'correct horse battery';
const REDIS_PASSWORDS = { api: randomBytes(16).toString('hex'), worker: randomBytes(16).toString('hex') };
const ADMIN_PASSWORD = 'acl-test-admin-password';
const WAIT = { timeoutMs: 30_000 };

describe('the Redis ACL users of docs/operations.md', () => {
  let redis: RedisServerHandle;
  let admin: Redis;
  let env: Record<string, string>;
  let api: ApiProcess;
  let worker: AppProcess;
  /** A connection of the api's own user, as the api has. */
  let apiUser: Redis;
  let workerUser: Redis;

  beforeAll(async () => {
    redis = await startRedisServer({ tls: true, password: ADMIN_PASSWORD });
    const tls = { ca: redis.tls!.server.ca };
    admin = new Redis({ host: redis.host, port: redis.port, password: ADMIN_PASSWORD, tls });
    for (const rules of documentedAclUsers(REDIS_PASSWORDS)) await admin.call('ACL', ...rules);

    const caFile = redis.tls!.server.caFile;
    env = apiTestEnv(redis.url, 'acl', {
      // The prefix the documented lines are written for (this Redis is the test's own).
      REDIS_KEY_PREFIX: 'rnh:',
      REDIS_USERNAME: 'rnh-api',
      REDIS_PASSWORD: REDIS_PASSWORDS.api,
      REDIS_TLS_CA_FILE: caFile,
      REDIS_CONNECT_TIMEOUT: '10000',
    });
    api = await startApiProcess(env);
    worker = await startWorkerProcess(env, {
      env: {
        REDIS_USERNAME: 'rnh-worker',
        REDIS_PASSWORD: REDIS_PASSWORDS.worker,
        REDIS_TLS_CA_FILE: caFile,
        REDIS_CONNECT_TIMEOUT: '10000',
      },
    });
    const as = (username: string, password: string) =>
      new Redis({ host: redis.host, port: redis.port, username, password, tls });
    apiUser = as('rnh-api', REDIS_PASSWORDS.api);
    workerUser = as('rnh-worker', REDIS_PASSWORDS.worker);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    apiUser?.disconnect();
    workerUser?.disconnect();
    admin?.disconnect();
    await redis?.destroy();
    if (env) rmSync(env.API_DATA_DIR!, { recursive: true, force: true });
  });

  const mailDir = () => join(env.API_DATA_DIR!, 'mail');
  const isReady = (stream: SseClient) => stream.frames.some((frame) => frame.event === 'ready');
  const liveEvents = (stream: SseClient, event: string) =>
    stream.frames.filter((frame) => frame.event === event);

  /**
   * What ACL LOG recorded since the last call, as `user: reason object`. CONFIG GET is left out:
   * the queues' eviction-policy check tries it and reads INFO instead (docs/operations.md).
   */
  async function refusals(): Promise<string[]> {
    const entries = (await admin.call('ACL', 'LOG')) as string[][];
    await admin.call('ACL', 'LOG', 'RESET');
    return entries
      .map((flat) => Object.fromEntries(flat.flatMap((value, i) => (i % 2 ? [] : [[value, flat[i + 1]]]))))
      .filter((entry) => entry.object !== 'config|get')
      .map((entry) => `${entry.username}: ${entry.reason} ${entry.object}`);
  }

  // When a flow fails, what Redis refused is the first thing to know.
  beforeEach(({ onTestFailed }) =>
    onTestFailed(async () => console.error('ACL LOG since the last check:', await refusals())),
  );

  it('signs up, mails the verification link from the worker, tells the user live, signs in and caches GET /me', async () => {
    const browser = new HttpClient(api.url);
    await signUp(browser, { email: 'ada@example.com', password: PASSWORD, displayName: 'Ada' });
    await waitForTokenFor(mailDir(), 'ada@example.com', /confirm your email/i, 30_000);

    const stream = await openSse(`${api.url}/events`, { cookie: `sid=${browser.cookie('sid')}` });
    await waitFor(() => isReady(stream), WAIT);
    expect((await browser.post('/me/verify-email')).status).toBe(202);
    await waitFor(() => mailTo(mailDir(), 'ada@example.com', /confirm your email/i).length === 2, WAIT);
    // The second mail's status at least; the first one's may have come too.
    await waitFor(() => liveEvents(stream, 'mail.status').length >= 1, WAIT);
    stream.close();
    const token = latestTokenFor(mailDir(), 'ada@example.com', /confirm your email/i);
    expect((await browser.post('/auth/verify-email/confirm', { token })).status).toBe(200);

    const signedIn = new HttpClient(api.url);
    const login = await signedIn.post('/auth/login', { email: 'ada@example.com', password: PASSWORD });
    expect(login.status).toBe(200);
    const first = await signedIn.get<{ user: { emailVerified: boolean } }>('/me');
    expect(first.status).toBe(200);
    expect(first.body.user.emailVerified).toBe(true);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect((await signedIn.get('/me')).headers.get('x-cache')).toBe('HIT');
    expect(await refusals()).toEqual([]);
  });

  it('issues, refreshes and revokes API tokens', async () => {
    await signUp(new HttpClient(api.url), {
      email: 'cli@example.com',
      password: PASSWORD,
      displayName: 'Cli',
    });
    const client = new HttpClient(api.url);
    const issued = await client.post<{ accessToken: string; refreshToken: string }>('/auth/token', {
      email: 'cli@example.com',
      password: PASSWORD,
    });
    expect(issued.status).toBe(200);
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await client.get('/me', bearer(issued.body.accessToken))).status).toBe(200);
    const refreshed = await client.post<{ accessToken: string; refreshToken: string }>('/auth/refresh', {
      refreshToken: issued.body.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(issued.body.refreshToken);

    const revoked = await client.post('/auth/token/revoke', { refreshToken: refreshed.body.refreshToken });
    expect(revoked.status).toBe(204);
    const after = await client.get<{ error: { code: string } }>('/me', bearer(refreshed.body.accessToken));
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('access_token_revoked');
    expect(await refusals()).toEqual([]);
  });

  it('a referral: the api works its network job and notifies the receiver live, the worker mails them', async () => {
    const member = async (email: string, displayName: string, org: string) => {
      const client = new HttpClient(api.url);
      await signUp(client, { email, password: PASSWORD, displayName });
      const made = await client.post<{ organization: { id: string } }>('/orgs', { name: org });
      expect(made.status).toBe(201);
      return { client, orgId: made.body.organization.id };
    };
    const sam = await member('sam@example.com', 'Sam', 'Sender Org');
    const rita = await member('rita@example.com', 'Rita', 'Receiver Org');
    const stream = await openSse(`${api.url}/events`, { cookie: `sid=${rita.client.cookie('sid')}` });
    await waitFor(() => isReady(stream), WAIT);

    const referral = await sam.client.post(`/orgs/${sam.orgId}/referrals`, {
      toOrganizationId: rita.orgId,
      candidateName: 'Grace Hopper',
    });
    expect(referral.status).toBe(201);
    await waitFor(() => liveEvents(stream, 'notification').length === 1, WAIT);
    stream.close();
    await waitFor(
      () => mailTo(mailDir(), 'rita@example.com', /Grace Hopper was referred/).length === 1,
      WAIT,
    );
    expect(await refusals()).toEqual([]);
  });

  it('the worker completes the maintenance jobs it runs every hour', async () => {
    // A session in the index and a token's subject set: what the jobs check and prune.
    await signUp(new HttpClient(api.url), {
      email: 'kept@example.com',
      password: PASSWORD,
      displayName: 'Kept',
    });
    const connections = testConnections(redis, {
      keyPrefix: 'rnh:',
      username: 'rnh-api',
      password: REDIS_PASSWORDS.api,
      tls: { ca: redis.tls!.server.ca },
    });
    const producer = new QueueProducer(
      { redis: connections, logger: memoryLogger().logger },
      maintenanceQueue,
    );
    try {
      await producer.enqueue('prune_session_index', {});
      await producer.enqueue('prune_token_subjects', {});
    } finally {
      await producer.close();
      await connections.close();
    }
    const completed = (job: string) =>
      metricSum(worker.url, 'queue_jobs_completed_total', { queue: 'maintenance', job_name: job });
    const failed = () => metricSum(worker.url, 'queue_jobs_failed_total');
    // Done, or failed (a refused command fails the job): the refusals below then say which.
    await waitFor(
      async () =>
        (await failed()) > 0 ||
        ((await completed('prune_session_index')) === 1 && (await completed('prune_token_subjects')) === 1),
      { ...WAIT, what: 'both maintenance jobs done' },
    );
    expect(await refusals()).toEqual([]);
    expect(await failed()).toBe(0);
  });

  it('refuses FLUSHALL, KEYS *, CONFIG GET * and keys outside each user’s patterns', async () => {
    for (const command of [['FLUSHALL'], ['KEYS', '*'], ['CONFIG', 'GET', '*']])
      await expect(apiUser.call(command[0]!, ...command.slice(1))).rejects.toThrow(/^NOPERM/);
    await expect(apiUser.set('elsewhere:key', 'x')).rejects.toThrow(/^NOPERM/);
    // The worker reads session keys but never writes them, and has no business with the cache.
    expect(await workerUser.exists('rnh:sess:{none}')).toBe(0);
    await expect(workerUser.set('rnh:sess:{none}', 'x')).rejects.toThrow(/^NOPERM/);
    await expect(workerUser.get('rnh:cache:users:1')).rejects.toThrow(/^NOPERM/);
    await expect(workerUser.call('FLUSHALL')).rejects.toThrow(/^NOPERM/);
  });
});
