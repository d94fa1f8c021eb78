import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { OneTimeTokens, TokenRejectedError, UnknownTokenKindError } from '../src/index.js';
import { useRedis, connectionsFor, dumpKeys, memoryLogger, metricValue, sleep } from './helpers.js';

const testRedis = useRedis();

function setup(
  ttlSeconds: Record<string, number> = { email_verification: 3600, password_reset: 900, invite: 86_400 },
  newestOnly?: string[],
) {
  const { logger } = memoryLogger();
  const connections = connectionsFor(testRedis.target, logger);
  const registry = new Registry();
  const keys = connections.keys.child('tokens');
  const tokens = new OneTimeTokens(
    { redis: connections.shared('commands'), keys, registry, logger },
    { ttlSeconds, ...(newestOnly ? { newestOnly } : {}) },
  );
  testRedis.cleanup.push(() => connections.close());
  return { tokens, registry, keys };
}

async function rejection(promise: Promise<unknown>): Promise<TokenRejectedError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TokenRejectedError);
  return error as TokenRejectedError;
}

describe('OneTimeTokens', () => {
  it('issues a 256-bit base64url token and redeems it once with its subject and data', async () => {
    const { tokens, registry } = setup();
    const { token, expiresAt } = await tokens.issue('invite', 'team-7', { role: 'editor' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
    expect(await tokens.consume('invite', token)).toEqual({ subject: 'team-7', data: { role: 'editor' } });
    expect((await rejection(tokens.consume('invite', token))).reason).toBe('expired_or_used');
    expect(await metricValue(registry, 'tokens_issued_total', { kind: 'invite' })).toBe(1);
    expect(await metricValue(registry, 'tokens_consumed_total', { kind: 'invite' })).toBe(1);
    expect(
      await metricValue(registry, 'tokens_rejected_total', { kind: 'invite', reason: 'expired_or_used' }),
    ).toBe(1);
  });

  it('50 concurrent redemptions of one token: exactly one succeeds', async () => {
    const { tokens, registry } = setup();
    const { token } = await tokens.issue('email_verification', 'user-1');
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => tokens.consume('email_verification', token)),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const result of lost) {
      expect(result.reason).toBeInstanceOf(TokenRejectedError);
      expect((result.reason as TokenRejectedError).reason).toBe('expired_or_used');
    }
    expect(await metricValue(registry, 'tokens_consumed_total', { kind: 'email_verification' })).toBe(1);
    expect(
      await metricValue(registry, 'tokens_rejected_total', {
        kind: 'email_verification',
        reason: 'expired_or_used',
      }),
    ).toBe(49);
  });

  it('peek tells what a live token would redeem without spending it, and rejects as consume does', async () => {
    const { tokens, registry } = setup();
    const { token } = await tokens.issue('password_reset', 'user-9', { step: 'one' });
    expect(await tokens.peek('password_reset', token)).toEqual({ subject: 'user-9', data: { step: 'one' } });
    expect(await tokens.peek('password_reset', token)).toEqual({ subject: 'user-9', data: { step: 'one' } });
    expect((await rejection(tokens.peek('email_verification', token))).reason).toBe('wrong_purpose');
    expect((await rejection(tokens.peek('password_reset', 'short'))).reason).toBe('malformed');
    expect(await tokens.consume('password_reset', token)).toMatchObject({ subject: 'user-9' });
    expect((await rejection(tokens.peek('password_reset', token))).reason).toBe('expired_or_used');
    expect(await metricValue(registry, 'tokens_consumed_total', { kind: 'password_reset' })).toBe(1);
  });

  it('a password_reset token is refused as email_verification (wrong_purpose) and still works as password_reset', async () => {
    const { tokens, registry } = setup();
    const { token } = await tokens.issue('password_reset', 'user-2');
    const error = await rejection(tokens.consume('email_verification', token));
    expect(error.reason).toBe('wrong_purpose');
    expect(error.code).toBe('TOKEN_REJECTED');
    expect(await tokens.consume('password_reset', token)).toMatchObject({ subject: 'user-2' });
    // Once used, it is simply gone, for either purpose.
    expect((await rejection(tokens.consume('email_verification', token))).reason).toBe('expired_or_used');
    expect(
      await metricValue(registry, 'tokens_rejected_total', {
        kind: 'email_verification',
        reason: 'wrong_purpose',
      }),
    ).toBe(1);
  });

  it('rejects malformed tokens without asking Redis, and unknown kinds with a coded error', async () => {
    const { tokens, registry } = setup();
    for (const bad of ['', 'short', 'x'.repeat(43) + '=', 'a.b', 'ä'.repeat(43)]) {
      expect((await rejection(tokens.consume('invite', bad))).reason).toBe('malformed');
    }
    expect(
      await metricValue(registry, 'tokens_rejected_total', { kind: 'invite', reason: 'malformed' }),
    ).toBe(5);
    await expect(tokens.consume('nope', 'x'.repeat(43))).rejects.toBeInstanceOf(UnknownTokenKindError);
    await expect(tokens.issue('nope', 'user')).rejects.toMatchObject({ code: 'TOKEN_KIND_UNKNOWN' });
    expect(
      () =>
        new OneTimeTokens(
          { redis: undefined as never, keys: undefined as never, logger: memoryLogger().logger },
          { ttlSeconds: { bad: 0 } },
        ),
    ).toThrow(/positive/);
  });

  it('expires with its kind TTL', async () => {
    const { tokens } = setup({ email_verification: 1 });
    const { token } = await tokens.issue('email_verification', 'user-3');
    await sleep(1200);
    expect((await rejection(tokens.consume('email_verification', token))).reason).toBe('expired_or_used');
  });

  it('revokeAllFor invalidates every live token of that kind for the subject, and only those', async () => {
    const { tokens } = setup();
    const first = await tokens.issue('password_reset', 'user-4');
    const second = await tokens.issue('password_reset', 'user-4');
    const used = await tokens.issue('password_reset', 'user-4');
    await tokens.consume('password_reset', used.token);
    const otherUser = await tokens.issue('password_reset', 'user-5');
    const otherKind = await tokens.issue('email_verification', 'user-4');

    expect(await tokens.revokeAllFor('password_reset', 'user-4')).toBe(2);
    expect((await rejection(tokens.consume('password_reset', first.token))).reason).toBe('expired_or_used');
    expect((await rejection(tokens.consume('password_reset', second.token))).reason).toBe('expired_or_used');
    expect(await tokens.consume('password_reset', otherUser.token)).toMatchObject({ subject: 'user-5' });
    expect(await tokens.consume('email_verification', otherKind.token)).toMatchObject({ subject: 'user-4' });
    expect(await tokens.revokeAllFor('password_reset', 'user-4')).toBe(0);
  });

  it('newest-only kind: a new token revokes the earlier ones; of concurrent issues exactly one works', async () => {
    const { tokens } = setup(undefined, ['password_reset']);
    const first = await tokens.issue('password_reset', 'user-7');
    const second = await tokens.issue('password_reset', 'user-7');
    expect((await rejection(tokens.consume('password_reset', first.token))).reason).toBe('expired_or_used');
    expect(await tokens.consume('password_reset', second.token)).toMatchObject({ subject: 'user-7' });

    // Concurrent requests for one subject (auto-pipelined: their commands interleave in Redis).
    for (const subject of ['user-8', 'user-9', 'user-10']) {
      const issued = await Promise.all(
        Array.from({ length: 20 }, () => tokens.issue('password_reset', subject)),
      );
      const redeemed = await Promise.allSettled(
        issued.map(({ token }) => tokens.consume('password_reset', token)),
      );
      expect(
        redeemed.filter((result) => result.status === 'fulfilled'),
        subject,
      ).toHaveLength(1);
    }

    // Other subjects and other kinds are not touched.
    const other = await tokens.issue('password_reset', 'user-11');
    await tokens.issue('password_reset', 'user-12');
    expect(await tokens.consume('password_reset', other.token)).toMatchObject({ subject: 'user-11' });
    const verify = await Promise.all([
      tokens.issue('email_verification', 'user-7'),
      tokens.issue('email_verification', 'user-7'),
    ]);
    for (const { token } of verify)
      expect(await tokens.consume('email_verification', token)).toMatchObject({ subject: 'user-7' });

    // revokeAllFor stops the newest one too.
    const newest = await tokens.issue('password_reset', 'user-7');
    await tokens.revokeAllFor('password_reset', 'user-7');
    expect((await rejection(tokens.consume('password_reset', newest.token))).reason).toBe('expired_or_used');
    expect(() => setup(undefined, ['unknown_kind'])).toThrow(/newestOnly/);
  });

  it('Redis holds only hashes: no raw token in any key or value', async () => {
    const { tokens, keys } = setup();
    const issued = await Promise.all([
      tokens.issue('email_verification', 'user-6', { email: 'six@example.test' }),
      tokens.issue('password_reset', 'user-6'),
      tokens.issue('invite', 'team-1', { role: 'viewer' }),
    ]);
    const stored = await dumpKeys(testRedis.admin, keys.pattern());
    expect(stored.length).toBeGreaterThanOrEqual(9); // token, marker and subject set per token
    const everything = stored.map((entry) => `${entry.key} ${entry.value}`).join('\n');
    for (const { token } of issued) expect(everything).not.toContain(token);
    expect(everything).toContain('six@example.test'); // the data is stored, the token is not
  });
});
