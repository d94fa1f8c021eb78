import { waitFor } from '@rnh/test-utils';
import express from 'express';
import { describe, expect, it } from 'vitest';
import {
  fixedWindow,
  gcra,
  ipKey,
  rateLimit,
  slidingWindow,
  tokenBucket,
  type Policy,
  type RateLimiter,
} from '../src/index.js';
import { awayFromBoundary, listen, sleep, useTestRedis } from './helpers.js';

const redis = useTestRedis();
const HOUR = 3_600_000;

describe.each<[string, Policy]>([
  ['fixed window', fixedWindow({ limit: 3, windowMs: HOUR })],
  ['sliding window', slidingWindow({ limit: 3, windowMs: HOUR })],
  ['token bucket', tokenBucket({ limit: 3, windowMs: HOUR })],
  ['GCRA', gcra({ limit: 3, windowMs: HOUR })],
])('refund (%s)', (_name, policy) => {
  it('gives back what a consumed decision took; a denied one has nothing to give back', async () => {
    await awayFromBoundary(redis.admin, HOUR, 5_000);
    const { limiter } = redis.newLimiter({ name: 'refund', policies: policy, localDenyCache: false });
    const first = await limiter.limit('k');
    await limiter.limit('k');
    await limiter.limit('k');
    const denied = await limiter.limit('k');
    expect(await limiter.refund('k', denied)).toBe(false);
    expect((await limiter.peek('k')).remaining).toBe(0);
    expect(await limiter.refund('k', first)).toBe(true);
    expect((await limiter.peek('k')).remaining).toBe(1);
    expect((await limiter.limit('k')).allowed).toBe(true);
    expect((await limiter.limit('k')).allowed).toBe(false);
  });
});

describe('refund after the window rolled', () => {
  it('does not touch the new window (fixed window)', async () => {
    const { limiter } = redis.newLimiter({
      name: 'late',
      // 1 s: the three calls and the refund after the rollover stay in the new window on a busy machine.
      policies: fixedWindow({ limit: 2, windowMs: 1000 }),
      localDenyCache: false,
    });
    const old = await limiter.limit('k');
    await sleep(1100);
    await limiter.limit('k');
    await limiter.limit('k');
    await limiter.refund('k', old);
    expect((await limiter.limit('k')).allowed).toBe(false);
  });
});

describe('middleware refunds', () => {
  /** A login route: 200 for the right password, 401 otherwise; failed logins limited to 3. */
  async function loginApp(options: { skipSuccessfulRequests?: boolean; skipFailedRequests?: boolean }) {
    const { limiter } = redis.newLimiter({
      name: 'auth-login',
      policies: fixedWindow({ limit: 3, windowMs: HOUR }),
      failure: 'closed',
      localDenyCache: false,
    });
    const app = express();
    app.use(express.json());
    app.post('/login', rateLimit(limiter, { key: ipKey(), ...options }), (req, res) => {
      if ((req.body as { password?: string }).password === 'right') res.json({ ok: true });
      else res.status(401).json({ error: { code: 'invalid_credentials', message: 'no' } });
    });
    const server = await listen(app);
    redis.cleanup.push(() => server.close());
    const login = async (password: string) => {
      const res = await fetch(`${server.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password }),
      });
      await res.text();
      return res.status;
    };
    return { login, limiter };
  }

  /** Refunds run when the response finishes (after the client has it): wait until Redis shows them. */
  async function settle(limiter: RateLimiter, remaining: number) {
    await waitFor(async () => (await limiter.peek('ip4:127.0.0.1')).remaining === remaining, {
      timeoutMs: 5000,
      what: `remaining ${remaining}`,
    });
  }

  it('skipSuccessfulRequests: only failed logins count', async () => {
    const { login, limiter } = await loginApp({ skipSuccessfulRequests: true });
    for (let i = 0; i < 10; i += 1) {
      expect(await login('right')).toBe(200);
      await settle(limiter, 3);
    }
    expect(await login('wrong')).toBe(401);
    expect(await login('wrong')).toBe(401);
    expect(await login('right')).toBe(200);
    await settle(limiter, 1);
    expect(await login('wrong')).toBe(401);
    // Three failures: now even the right password is refused until the window ends.
    expect(await login('right')).toBe(429);
  });

  it('skipFailedRequests: only successful requests count', async () => {
    const { login, limiter } = await loginApp({ skipFailedRequests: true });
    for (let i = 0; i < 10; i += 1) {
      expect(await login('wrong')).toBe(401);
      await settle(limiter, 3);
    }
    for (let i = 0; i < 3; i += 1) expect(await login('right')).toBe(200);
    expect(await login('right')).toBe(429);
  });
});
