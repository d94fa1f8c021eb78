import { describe, expect, it } from 'vitest';
import { Decimal, parseDictionary, parseItem, parseList, Token, type Item } from './structured-fields.js';

// The test parser itself, checked on the drafts' own examples and on malformed input.
describe('structured-field parser (test helper)', () => {
  it("parses draft 8's examples", () => {
    const policies = parseList('"burst";q=100;w=60,"daily";q=1000;w=86400') as Item[];
    expect(policies.map((p) => [p.value, Object.fromEntries(p.params)])).toEqual([
      ['burst', { q: 100, w: 60 }],
      ['daily', { q: 1000, w: 86400 }],
    ]);
    const [limit] = parseList('"default";r=50;t=30') as Item[];
    expect(Object.fromEntries(limit!.params)).toEqual({ r: 50, t: 30 });
    const [keyed] = parseList('"peruser";q=100;w=60;pk=:cHsdsRa894==:') as Item[];
    expect(keyed!.params.get('pk')).toBeInstanceOf(Uint8Array);
  });

  it("parses draft 7's examples", () => {
    const fields = parseDictionary('limit=100, remaining=50, reset=30');
    expect([...fields].map(([k, v]) => [k, (v as Item).value])).toEqual([
      ['limit', 100],
      ['remaining', 50],
      ['reset', 30],
    ]);
    expect((parseList('10;w=1, 50;w=60') as Item[]).map((i) => i.params.get('w'))).toEqual([1, 60]);
  });

  it('tells Tokens, Decimals and Strings apart, and rejects malformed fields', () => {
    expect(parseItem('burst').value).toBeInstanceOf(Token);
    expect(parseItem('1.5').value).toBeInstanceOf(Decimal);
    expect(parseItem('"a\\"b"').value).toBe('a"b');
    for (const bad of ['"unterminated', 'a,', '"x";Q=1', '1234567890123456', '"x" "y"', ',', '"x";q=1,'])
      expect(() => parseList(bad)).toThrow(/structured field/);
  });
});
