// The api's rate limits through real api processes over HTTP: the seed guide's limiters with
// small limits, headers in the draft-8 format, failed sign-ins only, one limit shared by two
// instances, shadow mode, and what each limiter does when Redis is gone.
import { rmSync } from 'node:fs';
import { startRedisServer, uniquePrefix, type RedisServerHandle } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTestEnv, startApiProcess, type ApiProcess } from './support/api-env.js';
import { HttpClient, type JsonResponse } from './support/http-client.js';
import { sampleSum, scrape } from './support/metrics.js';

interface ErrorBody {
  error: { code: string; message: string; retryAfterSeconds?: number };
}
const PASSWORD = 'correct horse battery';

describe('rate limits', () => {
  let redis: RedisServerHandle;
  const processes: ApiProcess[] = [];
  const dataDirs: string[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(processes.map((api) => api.stop()));
    await redis?.destroy();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  const start = async (name: string, limits: Record<string, string>, prefix = uniquePrefix(name)) => {
    const env = apiTestEnv(redis.url, name, { REDIS_KEY_PREFIX: prefix, ...limits });
    dataDirs.push(env.API_DATA_DIR!);
    const api = await startApiProcess(env);
    processes.push(api);
    return api;
  };

  const expectLimited = (res: JsonResponse<ErrorBody>) => {
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('rate_limited');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(res.body.error.retryAfterSeconds).toBe(retryAfter);
    // Every 429 names its limit, whichever limiter refused.
    expect(res.headers.get('ratelimit-policy')).toMatch(/^"\w+";q=\d+;w=\d+/);
    expect(res.headers.get('ratelimit')).toMatch(/^"\w+";r=0;t=\d+/);
  };

  it('global: the n+1th request from one address is refused with Retry-After; health and metrics are not limited', async () => {
    const api = await start('rl-global', { RATE_LIMIT_GLOBAL: '6/1h' });
    const client = new HttpClient(api.url);
    for (let i = 0; i < 6; i += 1) {
      const allowed = await client.get('/orgs');
      expect(allowed.status).toBe(401);
      // The broad limiter is quiet when it allows (the api limiter of /orgs reports its own numbers).
      expect(allowed.headers.get('ratelimit-policy')).not.toContain('"global"');
    }
    const refused = await client.get<ErrorBody>('/orgs');
    expectLimited(refused);
    expect(refused.headers.get('ratelimit-policy')).toBe('"global";q=6;w=3600');
    expect(refused.headers.get('ratelimit')).toBe(`"global";r=0;t=${refused.headers.get('retry-after')}`);
    expectLimited(await client.post<ErrorBody>('/auth/login', { email: 'a@example.com', password: 'x' }));
    for (let i = 0; i < 10; i += 1) expect((await fetch(`${api.url}/health`)).status).toBe(200);
    const metrics = await scrape(api.metricsUrl);
    // The second refusal came from the local deny cache, without a Redis call.
    expect(sampleSum(metrics, 'ratelimit_decisions_total', { policy: 'global', reason: 'limited' })).toBe(1);
    expect(sampleSum(metrics, 'ratelimit_decisions_total', { policy: 'global', reason: 'local_block' })).toBe(
      1,
    );
    expect(sampleSum(metrics, 'ratelimit_decisions_total', { policy: 'global', reason: 'allowed' })).toBe(6);
  });

  describe('per-route limiters', () => {
    const prefix = uniquePrefix('rl-routes');
    const limits = {
      RATE_LIMIT_AUTH: '3/15m',
      RATE_LIMIT_SIGNUP: '3/1h',
      // An hour, not a minute: GCRA gives a request back every window/5, and a second api
      // starting on a loaded machine can take longer than 12 s.
      RATE_LIMIT_API: '5/1h',
      RATE_LIMIT_EMAIL_ADDRESS: '2/1h',
    };
    let api: ApiProcess;
    beforeAll(async () => {
      api = await start('rl-routes', limits, prefix);
    });

    it('auth counts failed sign-ins only, per address and email, with draft-8 RateLimit headers', async () => {
      const client = new HttpClient(api.url);
      expect(
        (
          await client.post('/auth/signup', {
            email: 'kim@example.com',
            password: PASSWORD,
            displayName: 'Kim',
          })
        ).status,
      ).toBe(201);
      for (let i = 0; i < 5; i += 1) {
        const ok = await client.post('/auth/login', { email: 'kim@example.com', password: PASSWORD });
        expect(ok.status).toBe(200); // successes are given back: never limited
      }
      for (let i = 0; i < 3; i += 1) {
        const failed = await client.post<ErrorBody>('/auth/login', {
          email: 'kim@example.com',
          password: 'wrong password',
        });
        expect(failed.status).toBe(401);
        expect(failed.headers.get('ratelimit-policy')).toBe('"auth";q=3;w=900');
        expect(failed.headers.get('ratelimit')).toMatch(new RegExp(`^"auth";r=${2 - i};t=\\d+$`));
      }
      const blocked = await client.post<ErrorBody>('/auth/login', {
        email: 'kim@example.com',
        password: PASSWORD,
      });
      expectLimited(blocked); // even the right password, until the window ends
      const [, seconds] = /t=(\d+)/.exec(blocked.headers.get('ratelimit')!)!;
      expect(Number(seconds)).toBe(Number(blocked.headers.get('retry-after')));
      expect(Number(seconds)).toBeGreaterThan(890);
      expect(Number(seconds)).toBeLessThanOrEqual(900);
      // The key is address + email: another account from this address is not locked out.
      expect(
        (await client.post('/auth/login', { email: 'other@example.com', password: 'nope-nope' })).status,
      ).toBe(401);
      // API-token sign-in shares the limiter.
      expectLimited(
        await client.post<ErrorBody>('/auth/token', { email: 'kim@example.com', password: PASSWORD }),
      );
    });

    it('signup: three accounts per hour from one address', async () => {
      const client = new HttpClient(api.url);
      // The first of the three was made by the previous test.
      for (const name of ['lee', 'max']) {
        expect(
          (
            await client.post('/auth/signup', {
              email: `${name}@example.com`,
              password: PASSWORD,
              displayName: name,
            })
          ).status,
        ).toBe(201);
      }
      expectLimited(
        await client.post<ErrorBody>('/auth/signup', {
          email: 'ned@example.com',
          password: PASSWORD,
          displayName: 'Ned',
        }),
      );
    });

    it('api: per user, not per address', async () => {
      const kim = await new HttpClient(api.url).post<{ accessToken: string }>('/auth/token', {
        email: 'lee@example.com',
        password: PASSWORD,
      });
      const lee = { authorization: `Bearer ${kim.body.accessToken}` };
      const client = new HttpClient(api.url);
      for (let i = 0; i < 5; i += 1) {
        const res = await client.get('/me', lee);
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit-policy')).toBe('"api";q=5;w=3600');
      }
      expectLimited(await client.get<ErrorBody>('/me', lee));
      const max = await new HttpClient(api.url).post<{ accessToken: string }>('/auth/token', {
        email: 'max@example.com',
        password: PASSWORD,
      });
      expect((await client.get('/me', { authorization: `Bearer ${max.body.accessToken}` })).status).toBe(200);
    });

    it('email: two reset links per hour to one address, whether or not it has an account', async () => {
      const client = new HttpClient(api.url);
      for (const email of ['nobody@example.com', 'max@example.com']) {
        expect((await client.post('/auth/password-reset/request', { email })).status).toBe(202);
        expect(
          (await client.post('/auth/password-reset/request', { email: email.toUpperCase() })).status,
        ).toBe(202);
        expectLimited(await client.post<ErrorBody>('/auth/password-reset/request', { email }));
      }
    });

    it('two api instances share one limit', async () => {
      const twin = await start('rl-routes', limits, prefix);
      const token = await new HttpClient(api.url).post<{ accessToken: string }>('/auth/token', {
        email: 'max@example.com',
        password: PASSWORD,
      });
      const max = { authorization: `Bearer ${token.body.accessToken}` };
      // Max used one API request in the previous test; four more across the two instances.
      const one = new HttpClient(api.url);
      const two = new HttpClient(twin.url);
      for (const client of [one, two, one, two])
        expect((await client.get(`/users/${'0'.repeat(8)}-0000-4000-8000-000000000000`, max)).status).toBe(
          404,
        );
      expectLimited(await two.get<ErrorBody>('/orgs', max));
      expectLimited(await one.get<ErrorBody>('/orgs', max));
    });

    it('Redis down: the api limiter fails open, sign-in fails closed with 503, known-limited keys stay limited', async () => {
      await redis.stop();
      try {
        const client = new HttpClient(api.url);
        const login = await client.post<ErrorBody>('/auth/login', {
          email: 'lee@example.com',
          password: PASSWORD,
        });
        expect(login.status).toBe(503);
        expect(login.body.error.code).toBe('rate_limiter_unavailable');
        // The api limiter (per address for anonymous calls) lets the request reach its route.
        const anonymous = await client.get<ErrorBody>('/orgs');
        expect(anonymous.status).toBe(401); // reached the route: not limited
        const metrics = await scrape(api.metricsUrl);
        expect(
          sampleSum(metrics, 'ratelimit_decisions_total', { policy: 'api', reason: 'fail_open' }),
        ).toBeGreaterThan(0);
        expect(
          sampleSum(metrics, 'ratelimit_decisions_total', { policy: 'auth', reason: 'fail_closed' }),
        ).toBe(1);
        // Signups from this address were used up earlier: that is still known locally, without Redis.
        const signup = await client.post<ErrorBody>('/auth/signup', {
          email: 'zed@example.com',
          password: PASSWORD,
          displayName: 'Zed',
        });
        expect(signup.status).toBe(429);
        const after = await scrape(api.metricsUrl);
        expect(
          sampleSum(after, 'ratelimit_decisions_total', { policy: 'signup', reason: 'local_block' }),
        ).toBe(1);
      } finally {
        await redis.restart();
      }
    });
  });

  it('shadow mode blocks nothing and counts what it would have blocked', async () => {
    const api = await start('rl-shadow', { RATE_LIMIT_GLOBAL: '3/1m', RATE_LIMIT_SHADOW: 'global' });
    const client = new HttpClient(api.url);
    for (let i = 0; i < 8; i += 1) expect((await client.get('/orgs')).status).toBe(401);
    const metrics = await scrape(api.metricsUrl);
    expect(sampleSum(metrics, 'ratelimit_decisions_total', { policy: 'global', reason: 'shadow' })).toBe(5);
    expect(sampleSum(metrics, 'ratelimit_decisions_total', { policy: 'global', outcome: 'denied' })).toBe(0);
  });
});
