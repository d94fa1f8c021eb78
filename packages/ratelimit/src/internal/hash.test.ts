import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { identifierTagger } from './hash.js';

const identifierTag = (identifier: string, hashKeys: boolean, secret: string | undefined) =>
  identifierTagger(hashKeys, secret)(identifier);

const IDENTIFIERS = [
  'ip4:203.0.113.9',
  'user:42',
  'apikey:sk_live_0123456789abcdef',
  'ip6:2001:db8:0:0:0:0:0:0/64',
  'route:POST /login|ip4:198.51.100.7',
  'user:zoë@example.org',
  'emoji:🚦',
  'lone surrogate:\ud800',
  'x'.repeat(300), // longer than the HMAC's first buffer
  '',
];

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

describe('identifierTagger', () => {
  // Redis keys written before keep being found: the tags are SHA-256 / HMAC-SHA-256 exactly.
  it('gives the SHA-256 tags keys have always had', () => {
    const tag = identifierTagger(true, undefined);
    for (const identifier of IDENTIFIERS)
      expect(tag(identifier)).toBe(createHash('sha256').update(identifier).digest('base64url').slice(0, 22));
  });

  it('gives the HMAC-SHA-256 tags, for short, long (> 64 bytes) and non-ASCII secrets', () => {
    for (const secret of [
      's',
      'a fairly long secret that is well over sixty-four bytes long, really',
      'clé🔑',
    ]) {
      const tag = identifierTagger(true, secret);
      // Twice over, so a buffer left dirty by a longer identifier would show.
      for (const identifier of [...IDENTIFIERS, ...IDENTIFIERS.slice().reverse()])
        expect(tag(identifier)).toBe(
          createHmac('sha256', secret).update(identifier).digest('base64url').slice(0, 22),
        );
    }
  });

  it('never carries the identifier, with or without a secret', () => {
    for (const tag of [identifierTagger(true, undefined), identifierTagger(true, 'secret')])
      for (const identifier of ['ip4:203.0.113.9', 'user:ada@example.org']) {
        const value = tag(identifier);
        expect(value).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(value).not.toContain('203.0');
        expect(value).not.toContain('ada');
      }
  });
});
