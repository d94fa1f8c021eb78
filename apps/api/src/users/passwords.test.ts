import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { PasswordHasher, samePassword } from './passwords.js';

describe('PasswordHasher', () => {
  // The default cost is what production runs; the other tests use a cheap one to stay fast.
  const atDefaultCost = new PasswordHasher();
  const hasher = new PasswordHasher({ cost: 10 });

  it("hashes at OWASP's minimum by default (N=2^17, r=8, p=1), verifies, and stores its parameters with the hash", async () => {
    const stored = await atDefaultCost.hash('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
    expect(await atDefaultCost.verify('correct horse battery staple', stored)).toBe(true);
    expect(atDefaultCost.needsRehash(stored)).toBe(false);
  });

  it('refuses a wrong password', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await hasher.verify('correct horse battery stapler', stored)).toBe(false);
    expect(await hasher.verify('', stored)).toBe(false);
  });

  it('without a stored hash (no such account) still says no', async () => {
    expect(await hasher.verify('correct horse battery staple', undefined)).toBe(false);
  });

  it('salts: two hashes of one password differ', async () => {
    const [a, b] = await Promise.all([hasher.hash('same password'), hasher.hash('same password')]);
    expect(a).not.toBe(b);
  });

  it('treats a tampered or foreign hash as a mismatch without throwing', async () => {
    const stored = await hasher.hash('hunter22hunter22');
    const parts = stored.split('$');
    const flipLast = (value: string) =>
      value.slice(0, -2) + (value.at(-2) === 'A' ? 'B' : 'A') + value.at(-1);
    const tampered = [
      [...parts.slice(0, 5), flipLast(parts[5]!)].join('$'),
      [...parts.slice(0, 4), flipLast(parts[4]!), parts[5]].join('$'),
      ['scrypt', 16384, ...parts.slice(2)].join('$'),
      ['scrypt', 1000, ...parts.slice(2)].join('$'),
      ['scrypt', 2 ** 30, ...parts.slice(2)].join('$'),
      ['scrypt', 2 ** 20, 32, 16, ...parts.slice(4)].join('$'),
      parts.slice(0, 5).join('$'),
      `${stored}$extra`,
      'bcrypt$2b$10$abcdefghijklmnopqrstuv',
      '',
      'scrypt$$$$$',
    ];
    for (const value of tampered) {
      await expect(hasher.verify('hunter22hunter22', value), value).resolves.toBe(false);
    }
  });

  it('matches a password however its Unicode is composed', async () => {
    const stored = await hasher.hash('caf\u00e9 au lait');
    expect(await hasher.verify('cafe\u0301 au lait', stored)).toBe(true);
    expect(samePassword('caf\u00e9 au lait', 'cafe\u0301 au lait')).toBe(true);
    expect(samePassword('Caf\u00e9 au lait', 'caf\u00e9 au lait')).toBe(false);
  });

  it('asks for a rehash of hashes made with weaker parameters, and only those', async () => {
    expect(atDefaultCost.needsRehash('scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$' + 'A'.repeat(86))).toBe(true);
    // The cost before OWASP's minimum was adopted.
    expect(atDefaultCost.needsRehash('scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA$' + 'A'.repeat(86))).toBe(true);
    expect(atDefaultCost.needsRehash('not a hash')).toBe(true);
    expect(hasher.needsRehash('scrypt$131072$8$1$c2FsdHNhbHRzYWx0c2FsdA$' + 'A'.repeat(86))).toBe(false);
  });

  it('takes a cost from 10 to 20 only', () => {
    for (const cost of [9, 21, 16.5]) expect(() => new PasswordHasher({ cost })).toThrow(RangeError);
  });
});

describe('PASSWORD_HASH_COST', () => {
  const production = {
    NODE_ENV: 'production',
    SESSION_SECRET: 'a-production-secret-of-at-least-32-characters',
    JOB_SECRET_KEY: 'a-production-job-key-of-at-least-32-characters',
    API_TRUST_PROXY: '1',
    REDIS_PASSWORD: 'a-redis-password',
  };

  it("defaults to OWASP's minimum, may be lowered outside production, never in it", () => {
    expect(loadConfig({}).passwords.hashCost).toBe(17);
    expect(loadConfig({ ...production }).passwords.hashCost).toBe(17);
    expect(loadConfig({ NODE_ENV: 'test', PASSWORD_HASH_COST: '10' }).passwords.hashCost).toBe(10);
    expect(() => loadConfig({ ...production, PASSWORD_HASH_COST: '14' })).toThrow(
      /PASSWORD_HASH_COST must be at least 17 in production/,
    );
    expect(() => loadConfig({ PASSWORD_HASH_COST: '9' })).toThrow(
      /PASSWORD_HASH_COST must be a whole number from 10 to 20/,
    );
  });
});
