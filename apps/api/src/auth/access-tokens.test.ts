import { describe, expect, it } from 'vitest';
import { AccessTokens } from './access-tokens.js';

describe('AccessTokens', () => {
  const tokens = new AccessTokens({ secret: 'a-secret-of-enough-length-for-tests', ttlSeconds: 60 });

  it('round-trips the user id', () => {
    expect(tokens.verify(tokens.sign('user-1').token)).toBe('user-1');
  });

  it('rejects a token signed with another secret', () => {
    const other = new AccessTokens({ secret: 'another-secret-of-enough-length', ttlSeconds: 60 });
    expect(tokens.verify(other.sign('user-1').token)).toBeUndefined();
  });

  it('rejects a tampered payload', () => {
    const [, signature] = tokens.sign('user-1').token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', exp: 9_999_999_999 })).toString('base64url');
    expect(tokens.verify(`${forged}.${signature}`)).toBeUndefined();
  });

  it('rejects an expired token and garbage', () => {
    let now = Date.now();
    const clocked = new AccessTokens({
      secret: 'a-secret-of-enough-length-for-tests',
      ttlSeconds: 60,
      now: () => now,
    });
    const { token } = clocked.sign('user-1');
    now += 61_000;
    expect(clocked.verify(token)).toBeUndefined();
    expect(tokens.verify('garbage')).toBeUndefined();
    expect(tokens.verify('a.b.c')).toBeUndefined();
  });
});

describe('AccessTokens.authenticate', () => {
  it('lets a token in only while its stamp (user, generation, family) is active', async () => {
    const checked: unknown[] = [];
    let status: 'active' | 'revoked_user' | 'revoked_family' = 'active';
    const tokens = new AccessTokens({
      secret: 'a-secret-of-enough-length-for-tests',
      ttlSeconds: 60,
      revocations: {
        generation: async () => 1234,
        check: async (stamp) => (checked.push(stamp), status),
      },
    });
    const { token } = await tokens.issue('user-1', 'family-1');
    expect(await tokens.authenticate(token)).toEqual({ ok: true, userId: 'user-1', familyId: 'family-1' });
    expect(checked).toEqual([{ userId: 'user-1', generation: 1234, familyId: 'family-1' }]);
    status = 'revoked_family';
    expect(await tokens.authenticate(token)).toEqual({ ok: false, reason: 'revoked_family' });
    // verify() (rate-limit keys) still names the user: it never asks about revocation.
    expect(tokens.verify(token)).toBe('user-1');
    expect(await tokens.authenticate('garbage')).toEqual({ ok: false, reason: 'invalid' });
  });
});
