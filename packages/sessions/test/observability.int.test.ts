import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SessionData } from 'express-session';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  createSessionMetrics,
  OneTimeTokens,
  RedisSessionStore,
  RefreshTokenReuseError,
  RefreshTokens,
  SessionIndex,
  TokenRejectedError,
} from '../src/index.js';
import {
  Browser,
  connectionsFor,
  memoryLogger,
  metricValue,
  recordSpans,
  sleep,
  startApp,
  useRedis,
} from './helpers.js';

const spans = recordSpans();
const testRedis = useRedis();

const swallow = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('metrics and spans', () => {
  it('move as sessions and tokens are used, and never carry a session id or token', async () => {
    spans.reset();
    const log = memoryLogger();
    const connections = connectionsFor(testRedis.target, log.logger);
    const redis = connections.shared('commands');
    const registry = new Registry();
    const metrics = createSessionMetrics(registry);
    expect(createSessionMetrics(registry).sessionsCreated).toBe(metrics.sessionsCreated); // safe twice on one registry
    const sessionKeys = connections.keys.child('sess');
    const index = new SessionIndex(
      { redis, keys: connections.keys.child('user-sessions'), registry, logger: log.logger },
      { sessionKeys },
    );
    const store = new RedisSessionStore(
      { redis, keys: sessionKeys, logger: log.logger, registry, index },
      { activeSampleCacheMs: 0 },
    );
    const tokens = new OneTimeTokens(
      { redis, keys: connections.keys.child('tokens'), registry, logger: log.logger },
      { ttlSeconds: { email_verification: 3600, password_reset: 900 } },
    );
    const refresh = new RefreshTokens(
      { redis, keys: connections.keys.child('refresh'), registry, logger: log.logger },
      // Room for the replay below to land inside the window on a busy machine.
      { graceMs: 2000 },
    );
    const app = await startApp(store);
    const secrets: string[] = [];
    try {
      // Sessions: three devices sign in, one signs out, one signs out the others.
      const browsers = [new Browser(app.url, 'A'), new Browser(app.url, 'B'), new Browser(app.url, 'C')];
      for (const browser of browsers) secrets.push(String((await browser.login('user-1')).body.sid));
      expect(await metricValue(registry, 'sessions_active')).toBe(3);
      for (const browser of browsers) await browser.me();
      await browsers[2]?.request('POST', '/logout');
      expect(await index.revokeOthers('user-1', secrets[0] as string)).toBe(1);
      expect((await browsers[1]?.me())?.body.userId).toBeNull(); // revoked: not found
      for (const browser of browsers)
        secrets.push(decodeURIComponent(browser.cookie?.split('=')[1] ?? 'missing'));

      // One-time tokens: used, reused, wrong purpose, malformed.
      const verify = await tokens.issue('email_verification', 'user-1');
      const reset = await tokens.issue('password_reset', 'user-1');
      secrets.push(verify.token, reset.token);
      await tokens.consume('email_verification', verify.token);
      expect(await swallow(tokens.consume('email_verification', verify.token))).toBeInstanceOf(
        TokenRejectedError,
      );
      expect(await swallow(tokens.consume('email_verification', reset.token))).toBeInstanceOf(
        TokenRejectedError,
      );
      expect(await swallow(tokens.consume('password_reset', `${reset.token}!`))).toBeInstanceOf(
        TokenRejectedError,
      );

      // Refresh tokens: rotation, a grace replay, then reuse.
      const first = await refresh.issue('user-1');
      const second = await refresh.rotate(first.token);
      const replay = await refresh.rotate(first.token);
      expect(replay.token).toBe(second.token);
      await sleep(2100);
      expect(await swallow(refresh.rotate(first.token))).toBeInstanceOf(RefreshTokenReuseError);
      expect(await swallow(refresh.rotate(second.token))).toBeInstanceOf(TokenRejectedError);
      for (const token of [first.token, second.token]) secrets.push(token, token.split('.')[1] as string);
      secrets.push(first.familyId);

      // The numbers.
      expect(await metricValue(registry, 'sessions_created_total')).toBe(3);
      expect(await metricValue(registry, 'sessions_destroyed_total')).toBe(1);
      expect(await metricValue(registry, 'sessions_revoked_total', { scope: 'others' })).toBe(1);
      expect(await metricValue(registry, 'sessions_revoked_total', { scope: 'one' })).toBe(0);
      expect(await metricValue(registry, 'sessions_active')).toBe(1);
      expect(await metricValue(registry, 'tokens_issued_total', { kind: 'email_verification' })).toBe(1);
      expect(await metricValue(registry, 'tokens_issued_total', { kind: 'password_reset' })).toBe(1);
      expect(await metricValue(registry, 'tokens_issued_total', { kind: 'refresh' })).toBe(1);
      expect(await metricValue(registry, 'tokens_consumed_total', { kind: 'email_verification' })).toBe(1);
      expect(
        await metricValue(registry, 'tokens_rejected_total', {
          kind: 'email_verification',
          reason: 'expired_or_used',
        }),
      ).toBe(1);
      expect(
        await metricValue(registry, 'tokens_rejected_total', {
          kind: 'email_verification',
          reason: 'wrong_purpose',
        }),
      ).toBe(1);
      expect(
        await metricValue(registry, 'tokens_rejected_total', { kind: 'password_reset', reason: 'malformed' }),
      ).toBe(1);
      expect(
        await metricValue(registry, 'tokens_rejected_total', { kind: 'refresh', reason: 'expired_or_used' }),
      ).toBe(1);
      expect(await metricValue(registry, 'refresh_token_rotations_total')).toBe(1);
      expect(await metricValue(registry, 'refresh_token_reuse_detected_total')).toBe(1);

      // The spans.
      const finished = spans.getFinishedSpans();
      const named = (name: string) => finished.filter((span) => span.name === name);
      expect(finished.every((span) => span.instrumentationScope.name === '@rnh/sessions')).toBe(true);
      for (const name of [
        'sessions.get',
        'sessions.set',
        'sessions.touch',
        'sessions.destroy',
        'sessions.revoke_others',
        'tokens.issue',
        'tokens.consume',
        'refresh.issue',
        'refresh.rotate',
      ]) {
        expect(named(name).length, name).toBeGreaterThan(0);
      }
      expect(named('sessions.get').some((span) => span.attributes['rnh.session.found'] === true)).toBe(true);
      expect(named('sessions.get').some((span) => span.attributes['rnh.session.found'] === false)).toBe(true);
      const consumes = named('tokens.consume');
      expect(consumes.map((span) => span.attributes['rnh.outcome']).sort()).toEqual([
        'ok',
        'rejected',
        'rejected',
        'rejected',
      ]);
      expect(
        consumes
          .map((span) => span.attributes['rnh.token.reason'])
          .filter(Boolean)
          .sort(),
      ).toEqual(['expired_or_used', 'malformed', 'wrong_purpose']);
      expect(named('refresh.rotate').map((span) => span.attributes['rnh.outcome'])).toEqual([
        'rotated',
        'grace',
        'reuse_detected',
        'rejected',
      ]);

      // Nothing secret anywhere: label values, span names/attributes/status/events, log lines.
      const exposition = await registry.metrics();
      const spanText = finished.map(describeSpan).join('\n');
      expect(secrets.length).toBeGreaterThan(10);
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(15);
        expect(exposition).not.toContain(secret);
        expect(spanText).not.toContain(secret);
        expect(log.text()).not.toContain(secret);
      }
    } finally {
      store.close();
      await app.close();
      await connections.close();
    }
  });

  it('sessions_active is a cached SCAN sample, counted once per keyspace', async () => {
    const log = memoryLogger();
    const connections = connectionsFor(testRedis.target, log.logger);
    const redis = connections.shared('commands');
    const registry = new Registry();
    const keys = connections.keys.child('sess');
    const cached = new RedisSessionStore(
      { redis, keys, logger: log.logger, registry },
      { activeSampleCacheMs: 60_000 },
    );
    const twin = new RedisSessionStore({ redis, keys, logger: log.logger, registry }); // same keyspace: not counted twice
    const other = new RedisSessionStore(
      { redis, keys: connections.keys.child('sess2'), logger: log.logger, registry },
      { activeSampleCacheMs: 0 },
    );
    const data = { cookie: { originalMaxAge: 60_000, maxAge: 60_000 } } as unknown as SessionData;
    try {
      await cached.set('one', data);
      await other.set('two', data);
      expect(await metricValue(registry, 'sessions_active')).toBe(2);
      await cached.set('three', data);
      await other.set('four', data);
      expect(await metricValue(registry, 'sessions_active')).toBe(3); // `cached` serves its sample; `other` rescans
      cached.close();
      twin.close();
      expect(await metricValue(registry, 'sessions_active')).toBe(2);
    } finally {
      other.close();
      await connections.close();
    }
  });
});

function describeSpan(span: ReadableSpan): string {
  return JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    status: span.status,
    events: span.events,
    links: span.links,
  });
}
