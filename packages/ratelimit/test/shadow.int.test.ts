import express from 'express';
import { describe, expect, it } from 'vitest';
import { fixedWindow, ipKey, rateLimit } from '../src/index.js';
import { listen, metricValue, useTestRedis } from './helpers.js';

const redis = useTestRedis();
const HOUR = 3_600_000;

describe('shadow mode', () => {
  it('blocks nothing and counts what it would have blocked', async () => {
    const { limiter, registry } = redis.newLimiter({
      name: 'new-limit',
      policies: fixedWindow({ limit: 2, windowMs: HOUR }),
      mode: 'shadow',
    });
    const decisions = [];
    for (let i = 0; i < 6; i += 1) decisions.push(await limiter.limit('k'));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(decisions.map((d) => d.reason)).toEqual([
      'allowed',
      'allowed',
      'shadow',
      'shadow',
      'shadow',
      'shadow',
    ]);
    // Evaluated for real: the would-be denials carry Redis's numbers and recorded nothing.
    expect(decisions[2]).toMatchObject({ remaining: 0, consumed: false });
    expect(decisions[2]!.retryAfterMs).toBeGreaterThan(0);
    const series = { policy: 'new-limit' };
    expect(await metricValue(registry, 'ratelimit_decisions_total', { ...series, reason: 'shadow' })).toBe(4);
    expect(
      await metricValue(registry, 'ratelimit_decisions_total', {
        ...series,
        outcome: 'allowed',
        reason: 'shadow',
      }),
    ).toBe(4);
    expect(await metricValue(registry, 'ratelimit_decisions_total', { ...series, outcome: 'denied' })).toBe(
      0,
    );
    expect(limiter.localDenySize).toBe(0);
  });

  it('middleware: every request passes, without RateLimit headers', async () => {
    const { limiter, registry } = redis.newLimiter({
      name: 'shadow-http',
      policies: fixedWindow({ limit: 1, windowMs: HOUR }),
      mode: 'shadow',
    });
    const app = express();
    app.get('/x', rateLimit(limiter, { key: ipKey() }), (_req, res) => res.json({ ok: true }));
    const server = await listen(app);
    redis.cleanup.push(() => server.close());
    for (let i = 0; i < 4; i += 1) {
      const res = await fetch(`${server.url}/x`);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toBeNull();
      expect(res.headers.get('retry-after')).toBeNull();
      await res.text();
    }
    expect(await metricValue(registry, 'ratelimit_decisions_total', { reason: 'shadow' })).toBe(3);
  });
});
