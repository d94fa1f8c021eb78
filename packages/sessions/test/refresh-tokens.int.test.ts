import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  RefreshTokenRejectedError,
  RefreshTokenReuseError,
  RefreshTokens,
  TokenRejectedError,
} from '../src/index.js';
import { useRedis, connectionsFor, dumpKeys, memoryLogger, metricValue, sleep } from './helpers.js';

const testRedis = useRedis();

function setup(options: { graceMs?: number; ttlSeconds?: number; familyMaxAgeSeconds?: number } = {}) {
  const log = memoryLogger();
  const connections = connectionsFor(testRedis.target, log.logger);
  const registry = new Registry();
  const keys = connections.keys.child('refresh');
  const refresh = new RefreshTokens(
    { redis: connections.shared('commands'), keys, registry, logger: log.logger },
    { graceMs: 300, ...options },
  );
  testRedis.cleanup.push(() => connections.close());
  return { refresh, registry, keys, logText: log.text };
}

async function rejectionReason(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TokenRejectedError);
  expect(error).toBeInstanceOf(RefreshTokenRejectedError);
  return (error as TokenRejectedError).reason;
}

describe('RefreshTokens', () => {
  it('rotates: a new token each time, same family and user, and only hashes of secrets in Redis', async () => {
    const { refresh, registry, keys } = setup({ ttlSeconds: 3600 });
    const issued = await refresh.issue('user-1');
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(issued.token.startsWith(`${issued.familyId}.`)).toBe(true);
    expect(issued.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);

    const second = await refresh.rotate(issued.token);
    expect(second).toMatchObject({ userId: 'user-1', familyId: issued.familyId });
    expect(second.token).not.toBe(issued.token);
    const third = await refresh.rotate(second.token);
    expect(third.token).not.toBe(second.token);

    const everything = (await dumpKeys(testRedis.admin, keys.pattern()))
      .map((entry) => `${entry.key} ${entry.value}`)
      .join('\n');
    for (const token of [issued.token, second.token, third.token]) {
      expect(everything).not.toContain(token.split('.')[1]);
    }
    expect(await metricValue(registry, 'tokens_issued_total', { kind: 'refresh' })).toBe(1);
    expect(await metricValue(registry, 'refresh_token_rotations_total')).toBe(2);
  });

  it('concurrent refreshes with one token within the grace period all get the same successor', async () => {
    const { refresh, registry } = setup({ graceMs: 5000 });
    const { token } = await refresh.issue('user-2');
    const results = await Promise.all(Array.from({ length: 8 }, () => refresh.rotate(token)));
    const successors = new Set(results.map((result) => result.token));
    expect(successors.size).toBe(1);
    expect(new Set(results.map((result) => result.expiresAt.getTime())).size).toBe(1);
    expect(await metricValue(registry, 'refresh_token_rotations_total')).toBe(1);
    expect(await metricValue(registry, 'refresh_token_reuse_detected_total')).toBe(0);
    // The successor is a working token.
    const [successor] = successors;
    expect((await refresh.rotate(successor as string)).userId).toBe('user-2');
  });

  it('an old token after the grace period is reuse: the family is revoked, the newest token too', async () => {
    const { refresh, registry, logText } = setup({ graceMs: 200 });
    const first = await refresh.issue('user-3');
    const second = await refresh.rotate(first.token);
    await sleep(300);
    await expect(refresh.rotate(first.token)).rejects.toBeInstanceOf(RefreshTokenReuseError);
    expect(await rejectionReason(refresh.rotate(second.token))).toBe('expired_or_used');
    expect(await metricValue(registry, 'refresh_token_reuse_detected_total')).toBe(1);
    expect(logText()).toContain('refresh token reuse detected');

    // Any older token (not just the previous one) is reuse as well.
    const a = await refresh.issue('user-3');
    const b = await refresh.rotate(a.token);
    const c = await refresh.rotate(b.token);
    await expect(refresh.rotate(a.token)).rejects.toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });
    expect(await rejectionReason(refresh.rotate(c.token))).toBe('expired_or_used');
  });

  it('without a grace period (graceMs 0) a replay is reuse, even in the millisecond of the rotation', async () => {
    const { refresh, registry } = setup({ graceMs: 0 });
    const { token } = await refresh.issue('user-9');
    // Sent together (auto-pipelined): Redis runs both rotations back to back.
    const results = await Promise.allSettled([refresh.rotate(token), refresh.rotate(token)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RefreshTokenReuseError);
    expect(await metricValue(registry, 'refresh_token_reuse_detected_total')).toBe(1);
  });

  it('rejects malformed, unknown and forged tokens without revoking anything', async () => {
    const { refresh, registry } = setup();
    const { token, familyId } = await refresh.issue('user-4');
    expect(await rejectionReason(refresh.rotate('nonsense'))).toBe('malformed');
    expect(await rejectionReason(refresh.rotate(`${'A'.repeat(22)}.${'B'.repeat(43)}`))).toBe(
      'expired_or_used',
    );
    expect(await rejectionReason(refresh.rotate(`${familyId}.${'B'.repeat(43)}`))).toBe('unknown');
    expect((await refresh.rotate(token)).familyId).toBe(familyId); // the family survived the forgery
    expect(
      await metricValue(registry, 'tokens_rejected_total', { kind: 'refresh', reason: 'malformed' }),
    ).toBe(1);
    expect(await metricValue(registry, 'tokens_rejected_total', { kind: 'refresh', reason: 'unknown' })).toBe(
      1,
    );
    expect(
      await metricValue(registry, 'tokens_rejected_total', { kind: 'refresh', reason: 'expired_or_used' }),
    ).toBe(1);
  });

  it('revokeFamily and revokeAllForUser stop every token of the families', async () => {
    const { refresh, keys } = setup();
    const laptop = await refresh.issue('user-5');
    const phone = await refresh.issue('user-5');
    const tablet = await refresh.issue('user-5');
    const someoneElse = await refresh.issue('user-6');
    const phoneNext = await refresh.rotate(phone.token);

    await refresh.revokeFamily(laptop.familyId);
    expect(await rejectionReason(refresh.rotate(laptop.token))).toBe('expired_or_used');

    expect(await refresh.revokeAllForUser('user-5')).toBe(2);
    expect(await rejectionReason(refresh.rotate(phoneNext.token))).toBe('expired_or_used');
    expect(await rejectionReason(refresh.rotate(tablet.token))).toBe('expired_or_used');
    expect((await refresh.rotate(someoneElse.token)).userId).toBe('user-6');
    expect(await refresh.revokeAllForUser('user-5')).toBe(0);
    expect(await testRedis.admin.exists(keys.key('user', 'user-5'))).toBe(0);
  });

  it('expires with the ttl', async () => {
    const { refresh } = setup({ ttlSeconds: 1 });
    const { token } = await refresh.issue('user-7');
    await sleep(1200);
    expect(await rejectionReason(refresh.rotate(token))).toBe('expired_or_used');
  });

  it('a family ends at its maximum age however often it is rotated', async () => {
    const { refresh } = setup({ ttlSeconds: 3600, familyMaxAgeSeconds: 4 });
    const first = await refresh.issue('user-8');
    const second = await refresh.rotate(first.token);
    // The deadline (creation + 4 s, sooner than the hour of a token) holds through the rotation.
    expect(second.expiresAt.getTime()).toBe(first.expiresAt.getTime());
    while (Date.now() <= second.expiresAt.getTime() + 250) await sleep(100);
    expect(await rejectionReason(refresh.rotate(second.token))).toBe('expired_or_used');
  });
});
