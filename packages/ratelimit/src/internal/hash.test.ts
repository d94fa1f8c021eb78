import { describe, expect, it } from 'vitest';
import { identifierTag } from './hash.js';

describe('identifierTag', () => {
  it('hashes by default: stable, 22 base64url characters, never the raw text', () => {
    const tag = identifierTag('ip4:203.0.113.9', true, undefined);
    expect(tag).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(identifierTag('ip4:203.0.113.9', true, undefined)).toBe(tag);
    expect(tag).not.toContain('203');
    expect(identifierTag('ip4:203.0.113.10', true, undefined)).not.toBe(tag);
  });

  it('uses an HMAC with a secret', () => {
    expect(identifierTag('x', true, 's1')).not.toBe(identifierTag('x', true, undefined));
    expect(identifierTag('x', true, 's1')).not.toBe(identifierTag('x', true, 's2'));
  });

  it('keeps safe identifiers raw when hashing is off, and hashes unsafe ones anyway', () => {
    expect(identifierTag('user:42', false, undefined)).toBe('user:42');
    for (const unsafe of ['a{b}', 'has space', '', 'x'.repeat(200)])
      expect(identifierTag(unsafe, false, undefined)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
