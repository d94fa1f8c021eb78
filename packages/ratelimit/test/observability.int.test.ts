import express from 'express';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRateLimitMetrics, fixedWindow, ipKey, rateLimit, TRACER_NAME } from '../src/index.js';
import { listen, metricValue, recordSpans, scanKeys, useTestRedis } from './helpers.js';

const redis = useTestRedis();
const spans = recordSpans();

describe('metrics and spans', () => {
  it('createRateLimitMetrics is safe to call twice on one registry', () => {
    const registry = new Registry();
    const a = createRateLimitMetrics(registry);
    expect(createRateLimitMetrics(registry).decisions).toBe(a.decisions);
    expect(
      registry
        .getMetricsAsArray()
        .map((m) => m.name)
        .sort(),
    ).toEqual([
      'ratelimit_decision_duration_seconds',
      'ratelimit_decisions_total',
      'ratelimit_local_deny_entries',
      'ratelimit_near_limit_total',
    ]);
  });

  it('metrics move as decisions are made; labels carry the limiter name, never a key or address', async () => {
    const { limiter, registry, prefix } = redis.newLimiter({
      name: 'api',
      policies: fixedWindow({ limit: 10, windowMs: 60_000 }),
    });
    // The deny-cache gauge is there before anything is denied: a panel never finds it missing.
    expect(await registry.metrics()).toContain('ratelimit_local_deny_entries{policy="api"} 0');
    const key = 'ip4:203.0.113.77';
    for (let i = 0; i < 12; i += 1) await limiter.limit(key);
    const decisions = (labels: Record<string, string>) =>
      metricValue(registry, 'ratelimit_decisions_total', { policy: 'api', ...labels });
    expect(await decisions({ outcome: 'allowed', reason: 'allowed' })).toBe(10);
    expect(await decisions({ outcome: 'denied', reason: 'limited' })).toBe(1);
    expect(await decisions({ outcome: 'denied', reason: 'local_block' })).toBe(1);
    // 80 % used from the 8th request on: the 8th, 9th and 10th.
    expect(await metricValue(registry, 'ratelimit_near_limit_total', { policy: 'api' })).toBe(3);
    expect(await metricValue(registry, 'ratelimit_decision_duration_seconds', { policy: 'api' })).toBe(11);
    expect(await metricValue(registry, 'ratelimit_local_deny_entries', { policy: 'api' })).toBe(1);
    const text = await registry.metrics();
    expect(text).not.toContain('203.0.113');
    // Nor in Redis: key names carry a hash of the identifier.
    const stored = await scanKeys(redis.admin, `${prefix}*`);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.join()).not.toContain('203.0.113');
  });

  it('spans: one per decision with policy and decision, never the key or the IP', async () => {
    const { limiter } = redis.newLimiter({
      name: 'login',
      policies: fixedWindow({ limit: 1, windowMs: 60_000 }),
    });
    const app = express();
    app.set('trust proxy', 'loopback');
    app.post('/login', rateLimit(limiter, { key: ipKey() }), (_req, res) => res.json({ ok: true }));
    const server = await listen(app);
    redis.cleanup.push(() => server.close());
    spans.reset();
    for (let i = 0; i < 3; i += 1) {
      const res = await fetch(`${server.url}/login`, {
        method: 'POST',
        headers: { 'x-forwarded-for': '198.51.100.23' },
      });
      await res.text();
    }
    const finished = spans.getFinishedSpans().filter((span) => span.name === 'ratelimit.limit');
    expect(finished.map((span) => span.instrumentationScope.name)).toEqual([
      TRACER_NAME,
      TRACER_NAME,
      TRACER_NAME,
    ]);
    expect(finished.map((span) => span.attributes['rnh.ratelimit.decision'])).toEqual([
      'allowed',
      'limited',
      'local_block',
    ]);
    expect(finished[0]!.attributes).toMatchObject({
      'rnh.ratelimit.policy': 'login',
      'rnh.ratelimit.allowed': true,
      'rnh.ratelimit.cost': 1,
      'rnh.ratelimit.binding_policy': 'login',
    });
    const everything = JSON.stringify(spans.getFinishedSpans().map((span) => [span.name, span.attributes]));
    expect(everything).not.toContain('198.51.100');
  });
});
