import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('verifies the password it hashed, and stores its parameters with the hash', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(needsRehash(stored)).toBe(false);
  });

  it('refuses a wrong password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts: two hashes of one password differ', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
  });

  it('treats a tampered or foreign hash as a mismatch without throwing', async () => {
    const stored = await hashPassword('hunter22hunter22');
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
      await expect(verifyPassword('hunter22hunter22', value), value).resolves.toBe(false);
    }
  });

  it('matches a password however its Unicode is composed', async () => {
    const stored = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword('cafe\u0301 au lait', stored)).toBe(true);
  });

  it('asks for a rehash of hashes made with weaker parameters', () => {
    expect(needsRehash('scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$' + 'A'.repeat(86))).toBe(true);
    expect(needsRehash('not a hash')).toBe(true);
  });
});
