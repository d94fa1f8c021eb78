import express from 'express';
import { describeOnStandalone, waitFor } from '@rnh/test-utils';
import { expect, it } from 'vitest';
import { fixedWindow, ipKey, rateLimit, RateLimitUnavailableError } from '../src/index.js';
import { listen, metricValue, useTestRedis } from './helpers.js';

const redis = useTestRedis();
const HOUR = 3_600_000;

// Timeouts of a second: long enough that a busy machine's answer before the failure is not
// taken for one, short enough that the failure path stays quick.
function limiters(timeoutMs: number) {
  const open = redis.newLimiter({
    name: 'general',
    policies: fixedWindow({ limit: 100, windowMs: HOUR }),
    failure: 'open',
    operationTimeoutMs: timeoutMs,
  });
  const closed = redis.newLimiter({
    name: 'login',
    policies: fixedWindow({ limit: 100, windowMs: HOUR }),
    failure: 'closed',
    operationTimeoutMs: timeoutMs,
    failClosedRetryAfterMs: 5000,
  });
  return { open, closed };
}

/** Scripts the server has run (EVALSHA and EVAL calls, from INFO commandstats). */
async function scriptCalls(): Promise<number> {
  const stats = await redis.admin.info('commandstats');
  let calls = 0;
  for (const match of stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) calls += Number(match[1]);
  return calls;
}

// Each test stops or freezes the one standalone redis-server: on Cluster and Sentinel runs they are
// skipped (failover there is @rnh/redis-client's to test).
describeOnStandalone('when Redis fails', () => {
  it('Redis stopped: fail-open allows (fail_open), fail-closed denies (fail_closed, 503 or 429 over HTTP)', async () => {
    const { open, closed } = limiters(1000);
    const app = express();
    app.get('/general', rateLimit(open.limiter, { key: ipKey() }), (_req, res) => res.json({ ok: true }));
    app.post('/login', rateLimit(closed.limiter, { key: ipKey() }), (_req, res) => res.json({ ok: true }));
    app.post('/login-429', rateLimit(closed.limiter, { key: ipKey(), failClosedStatus: 429 }), (_req, res) =>
      res.json({ ok: true }),
    );
    const server = await listen(app);
    redis.cleanup.push(() => server.close());
    expect((await open.limiter.limit('k')).reason).toBe('allowed');
    expect((await closed.limiter.limit('k')).reason).toBe('allowed');

    await redis.server.stop();
    expect(await open.limiter.limit('k')).toMatchObject({
      allowed: true,
      reason: 'fail_open',
      consumed: false,
      policies: [],
    });
    expect(await closed.limiter.limit('k')).toMatchObject({
      allowed: false,
      reason: 'fail_closed',
      retryAfterMs: 5000,
    });

    const general = await fetch(`${server.url}/general`);
    expect(general.status).toBe(200);
    const login = await fetch(`${server.url}/login`, { method: 'POST' });
    expect(login.status).toBe(503);
    expect(login.headers.get('retry-after')).toBe('5');
    expect(await login.json()).toEqual({
      error: { code: 'rate_limiter_unavailable', message: expect.any(String) },
    });
    const login429 = await fetch(`${server.url}/login-429`, { method: 'POST' });
    expect(login429.status).toBe(429);
    // Redis decided nothing, yet the refusal names the limit and the wait, like any 429.
    expect(login429.headers.get('retry-after')).toBe('5');
    expect(login429.headers.get('ratelimit-policy')).toBe('"login";q=100;w=3600');
    expect(login429.headers.get('ratelimit')).toBe('"login";r=0;t=5');
    expect(await login429.json()).toEqual({
      error: { code: 'rate_limited', message: expect.any(String), retryAfterSeconds: 5 },
    });

    await expect(open.limiter.peek('k')).rejects.toBeInstanceOf(RateLimitUnavailableError);
    await expect(open.limiter.reset('k')).rejects.toBeInstanceOf(RateLimitUnavailableError);
    expect(
      await metricValue(open.registry, 'ratelimit_decisions_total', {
        policy: 'general',
        outcome: 'allowed',
        reason: 'fail_open',
      }),
    ).toBe(2);
    expect(
      await metricValue(closed.registry, 'ratelimit_decisions_total', {
        policy: 'login',
        outcome: 'denied',
        reason: 'fail_closed',
      }),
    ).toBe(3);
    // Failed calls are timed too.
    expect(
      await metricValue(closed.registry, 'ratelimit_decision_duration_seconds', { policy: 'login' }),
    ).toBe(4);
    // One warning, not one per request.
    const warnings = closed.log
      .lines()
      .filter((line) => String(line.msg).startsWith('rate limiter could not'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ limiter: 'login', failure: 'closed' });
    // What Redis (or the timeout) said, not a generic "unavailable".
    expect(String(warnings[0]!.error)).not.toContain('Redis unavailable');

    await redis.server.restart();
    await waitFor(async () => (await closed.limiter.limit('k')).reason === 'allowed', {
      timeoutMs: 10_000,
      what: 'decisions after the restart',
    });
  });

  it('a SIGSTOPped Redis (no answer at all) counts as a failure once the timeout passes', async () => {
    const { open, closed } = limiters(1000);
    expect((await open.limiter.limit('k')).reason).toBe('allowed');
    expect((await closed.limiter.limit('k')).reason).toBe('allowed');
    const pid = Number(/process_id:(\d+)/.exec(await redis.admin.info('server'))![1]);
    process.kill(pid, 'SIGSTOP');
    try {
      expect((await open.limiter.limit('k')).reason).toBe('fail_open');
      expect((await closed.limiter.limit('k')).reason).toBe('fail_closed');
      expect(open.log.lines().find((line) => line.error_type === 'timeout')).toBeDefined();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(async () => (await open.limiter.limit('k')).reason === 'allowed', {
      timeoutMs: 5000,
      what: 'decisions after SIGCONT',
    });
  });

  it('after breaker.failureThreshold failures in a row, decisions stop reaching Redis until the cool-down ends', async () => {
    const { limiter } = redis.newLimiter({
      name: 'breaker',
      policies: fixedWindow({ limit: 100, windowMs: HOUR }),
      operationTimeoutMs: 1000,
      breaker: { failureThreshold: 2, cooldownMs: 5000 },
    });
    expect((await limiter.limit('k')).reason).toBe('allowed'); // the script is loaded
    const pid = Number(/process_id:(\d+)/.exec(await redis.admin.info('server'))![1]);
    const before = await scriptCalls();
    process.kill(pid, 'SIGSTOP');
    try {
      // A stopped server keeps what it was sent and runs it on SIGCONT: that shows what was sent.
      for (let i = 0; i < 6; i += 1) expect((await limiter.limit('k')).reason).toBe('fail_open');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(async () => (await scriptCalls()) - before >= 2, {
      timeoutMs: 5000,
      what: 'queued calls run',
    });
    expect((await scriptCalls()) - before).toBe(2); // the breaker held back the other four
    await waitFor(async () => (await limiter.limit('k')).reason === 'allowed', {
      timeoutMs: 20_000,
      what: 'a probe after the cool-down closing the breaker',
    });
  });
});
