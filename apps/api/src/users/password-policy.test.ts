import { describe, expect, it } from 'vitest';
import { PasswordPolicy, commonPasswords } from './password-policy.js';

describe('PasswordPolicy', () => {
  const policy = new PasswordPolicy(commonPasswords());
  const marie = { email: 'marie.curie@example.com', displayName: 'Marie Skłodowska Curie' };

  it('knows tens of thousands of common passwords', () => {
    expect(commonPasswords().size).toBeGreaterThan(10_000);
  });

  it('refuses common passwords, whatever their case', () => {
    for (const password of ['password123', 'PASSWORD123', 'qwertyuiop', 'iloveyou2', 'Sunshine1'])
      expect(policy.problemWith(password, marie), password).toMatch(/most common passwords/);
  });

  it("refuses the user's email, its local part or their name, and passwords made of little else, in any case", () => {
    for (const password of [
      'marie.curie@example.com',
      'xx-Marie.Curie-1867',
      'Marie Skłodowska Curie!',
      'SKŁODOWSKA-radium',
      'curie-marie-1867',
      'im-marie!',
      // Full-width letters are the same password once NFKC-normalised, as the hash sees it.
      'ｍａｒｉｅ-radium',
    ])
      expect(policy.problemWith(password, marie), password).toMatch(/email address or your name/);
  });

  it('accepts a word of the name when the rest would be a password of its own', () => {
    for (const password of ['polonium-curie-88', 'my name is marie!', 'ｍａｒｉｅ-radium-polonium'])
      expect(policy.problemWith(password, marie), password).toBeUndefined();
  });

  it('does not refuse passwords for containing a short name or a short word of one', () => {
    const al = { email: 'al@example.com', displayName: 'Al The Great' };
    expect(policy.problemWith('another long passphrase', al)).toBeUndefined();
    expect(policy.problemWith('the great al', al)).toMatch(/email address or your name/);
  });

  it('accepts a long uncommon password of someone else', () => {
    expect(policy.problemWith('radium and polonium glow', marie)).toBeUndefined();
  });
});
