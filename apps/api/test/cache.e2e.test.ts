// The api's caching across two real api processes sharing one Redis and one PostgreSQL:
// private responses stay private, a write on one instance is seen at once on the other
// (L1 copies dropped through the invalidation bus), and a dead Redis costs no request.
import { rmSync } from 'node:fs';
import { startRedisServer, waitFor, type RedisServerHandle } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db/support/postgres.js';
import { apiTestEnv, startApiProcess, type ApiProcess } from './support/api-env.js';
import { HttpClient } from './support/http-client.js';
import { sampleSum, scrape } from './support/metrics.js';

interface UserBody {
  user: { id: string; email: string; displayName: string };
}

describe('caching across api instances', () => {
  let redis: RedisServerHandle;
  let database: TestDatabase;
  let env: Record<string, string>;
  let one: ApiProcess;
  let two: ApiProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    database = await createTestDatabase();
    env = apiTestEnv(redis.url, 'cache-e2e', { DATABASE_URL: database.url });
    [one, two] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await redis?.destroy();
    await database?.drop();
    if (env) rmSync(env.API_DATA_DIR!, { recursive: true, force: true });
  });

  const signup = async (baseUrl: string, email: string, displayName: string) => {
    const client = new HttpClient(baseUrl);
    const res = await client.post<UserBody>('/auth/signup', {
      email,
      password: 'correct horse battery',
      displayName,
    });
    expect(res.status).toBe(201);
    return { client, user: res.body.user };
  };

  it("GET /me is cached per user: two sessions each get their own answer, never the other's", async () => {
    const alice = await signup(one.url, 'alice@example.com', 'Alice');
    const bob = await signup(one.url, 'bob@example.com', 'Bob');

    const aliceFirst = await alice.client.get<UserBody>('/me');
    expect(aliceFirst.headers.get('x-cache')).toBe('MISS');
    expect(aliceFirst.headers.get('set-cookie')).toBeNull(); // what makes it cacheable
    const aliceAgain = await alice.client.get<UserBody>('/me');
    expect(aliceAgain.headers.get('x-cache')).toBe('HIT');
    expect(aliceAgain.body.user).toMatchObject({ id: alice.user.id, email: 'alice@example.com' });

    // Same URL, Alice's answer cached: Bob still gets his own, from the first request on.
    const bobFirst = await bob.client.get<UserBody>('/me');
    expect(bobFirst.headers.get('x-cache')).toBe('MISS');
    expect(bobFirst.body.user).toMatchObject({ id: bob.user.id, email: 'bob@example.com' });
    const bobAgain = await bob.client.get<UserBody>('/me');
    expect(bobAgain.headers.get('x-cache')).toBe('HIT');
    expect(bobAgain.body.user.id).toBe(bob.user.id);

    // Bob's session on the other instance: the same cache (Redis), still his own answer.
    const bobOnTwo = new HttpClient(two.url);
    await bobOnTwo.post('/auth/login', { email: 'bob@example.com', password: 'correct horse battery' });
    const fromTwo = await bobOnTwo.get<UserBody>('/me');
    expect(fromTwo.body.user.id).toBe(bob.user.id);

    // ETag and 304 on a hit.
    const etag = aliceAgain.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await alice.client.get('/me', { 'if-none-match': etag })).status).toBe(304);

    // Signed out: nothing cached is served.
    await alice.client.post('/auth/logout');
    expect((await alice.client.get('/me')).status).toBe(401);
  });

  it('a rename on one instance is seen at once on the other (L1 dropped through the bus)', async () => {
    const carol = await signup(one.url, 'carol@example.com', 'Carol');
    const profileOnOne = () => carol.client.get<{ user: { displayName: string } }>(`/users/${carol.user.id}`);
    expect((await profileOnOne()).body.user.displayName).toBe('Carol');
    const before = sampleSum(await scrape(one.metricsUrl), 'cache_lookups_total', {
      cache: 'users',
      layer: 'l1',
      result: 'hit',
    });
    expect((await profileOnOne()).body.user.displayName).toBe('Carol');
    const after = sampleSum(await scrape(one.metricsUrl), 'cache_lookups_total', {
      cache: 'users',
      layer: 'l1',
      result: 'hit',
    });
    expect(after).toBe(before + 1); // the second read came from instance one's L1

    const carolOnTwo = new HttpClient(two.url);
    await carolOnTwo.post('/auth/login', { email: 'carol@example.com', password: 'correct horse battery' });
    const renamed = await carolOnTwo.patch<UserBody>('/me', { displayName: 'Caroline' });
    expect(renamed.body.user.displayName).toBe('Caroline');

    // The write answered after its invalidation was published; the bus delivers it within
    // milliseconds. The wait allows a busy machine, and stays far below the L1 copy's 60 s life:
    // a new name seen in time came over the bus, not from an expired copy.
    await waitFor(async () => (await profileOnOne()).body.user.displayName === 'Caroline', {
      timeoutMs: 15_000,
      what: 'the new name on instance one',
    });
    const me = await carol.client.get<UserBody>('/me');
    expect(me.body.user.displayName).toBe('Caroline');
  });

  it('Redis killed: reads are served from the database with no error, and caching resumes when it is back', async () => {
    const dave = await signup(one.url, 'dave@example.com', 'Dave');
    const org = await dave.client.post<{ organization: { id: string } }>('/orgs', { name: 'Outage Org' });
    // An API client with a Bearer token: it needs no session (sessions live in Redis). Whether the
    // token was revoked lives in Redis too; instance two checks it once now and keeps the answer
    // in-process, which carries it through the outage (ACCESS_TOKEN_OUTAGE_GRACE_SECONDS, default
    // 5 minutes; a token never checked would get 503).
    const tokens = await dave.client.post<{ accessToken: string }>('/auth/token', {
      email: 'dave@example.com',
      password: 'correct horse battery',
    });
    const bearer = { authorization: `Bearer ${tokens.body.accessToken}` };
    const api = new HttpClient(two.url);
    expect((await api.get(`/users/${dave.user.id}`, bearer)).status).toBe(200);

    await redis.kill();
    for (let i = 0; i < 5; i += 1) {
      const res = await api.get<{ organization: { name: string } }>(
        `/orgs/${org.body.organization.id}`,
        bearer,
      );
      expect(res.status).toBe(200);
      expect(res.body.organization.name).toBe('Outage Org');
      const user = await api.get<{ user: { displayName: string } }>(`/users/${dave.user.id}`, bearer);
      expect(user.status).toBe(200);
      expect(user.body.user.displayName).toBe('Dave');
    }
    const metrics = await scrape(two.metricsUrl);
    expect(sampleSum(metrics, 'cache_errors_total', { cache: 'orgs' })).toBeGreaterThan(0);
    // Those reads are counted as served without Redis, from the database.
    for (const cache of ['orgs', 'users'])
      expect(
        sampleSum(metrics, 'cache_fallback_reads_total', { cache, source: 'loader' }),
        `cache ${cache}`,
      ).toBeGreaterThan(0);

    await redis.restart();
    await waitFor(async () => (await fetch(`${two.url}/ready`)).status === 200, {
      timeoutMs: 15_000,
      what: 'instance two ready again',
    });
    const hitsBefore = sampleSum(await scrape(two.metricsUrl), 'cache_lookups_total', {
      cache: 'orgs',
      result: 'hit',
    });
    await waitFor(
      async () => {
        await api.get(`/orgs/${org.body.organization.id}`, bearer);
        const hits = sampleSum(await scrape(two.metricsUrl), 'cache_lookups_total', {
          cache: 'orgs',
          result: 'hit',
        });
        return hits > hitsBefore;
      },
      { timeoutMs: 15_000, what: 'cache hits again after Redis is back' },
    );
  });
});
