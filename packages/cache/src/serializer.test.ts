import { describe, expect, it } from 'vitest';
import { CacheSerializationError } from './errors.js';
import { decodeEnvelope, encodeEnvelope } from './serializer.js';

const meta = { graceMs: 0, schemaVersion: 0 };

describe('envelope serializer', () => {
  it('round-trips Date, BigInt, undefined, and objects with a $t key', () => {
    const value = { d: new Date(5), b: -(2n ** 70n), u: [undefined], o: { $t: 'd', v: 'x' }, s: 'é' };
    const text = encodeEnvelope(value, meta);
    expect(JSON.parse(text)).toMatchObject({ v: 1, g: 0 });
    expect(decodeEnvelope(text, 0).value).toEqual(value);
  });

  it('refuses what would not round-trip', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const bad of [cycle, NaN, Symbol('s'), new Date(Number.NaN), new (class X {})()]) {
      expect(() => encodeEnvelope(bad, meta)).toThrow(CacheSerializationError);
    }
    // The same object twice is not a cycle.
    const shared = { a: 1 };
    expect(decodeEnvelope(encodeEnvelope([shared, shared], meta), 0).value).toEqual([shared, shared]);
  });

  it('rejects other versions and garbage with CACHE_DESERIALIZE_FAILED', () => {
    const v1 = encodeEnvelope(1, { graceMs: 0, schemaVersion: 3 });
    expect(decodeEnvelope(v1, 3).value).toBe(1);
    for (const [text, schema] of [
      [v1, 0],
      ['{"v":2,"g":0,"d":1}', 0],
      ['[1]', 0],
      ['{"v":1,"g":0,"d":{"$t":"b","v":"x1"}}', 0],
      ['{"v":1,"d":1}', 0],
    ] as const) {
      expect(() => decodeEnvelope(text, schema)).toThrow(
        expect.objectContaining({ code: 'CACHE_DESERIALIZE_FAILED' }),
      );
    }
  });

  it('marks plain values, whose decode is the parsed JSON itself, and records the fresh-until time', () => {
    const plain = encodeEnvelope({ a: [1, 'x', null, { b: true }] }, { ...meta, freshUntil: 1234 });
    expect(JSON.parse(plain)).toMatchObject({ p: 1, e: 1234 });
    const decoded = decodeEnvelope(plain, 0);
    expect(decoded).toMatchObject({ value: { a: [1, 'x', null, { b: true }] }, freshUntil: 1234 });
    for (const tagged of [new Date(0), 1n, [undefined], { $t: 'user data' }]) {
      const text = encodeEnvelope({ tagged }, meta);
      expect(JSON.parse(text)).not.toHaveProperty('p');
      expect(decodeEnvelope(text, 0).value).toEqual({ tagged });
    }
    // Written by an older version: no `p`, no `e`; decoded the long way, freshness unknown.
    expect(decodeEnvelope('{"v":1,"g":0,"d":{"x":{"$t":"d","v":"1970-01-01T00:00:00.000Z"}}}', 0)).toEqual({
      value: { x: new Date(0) },
      graceMs: 0,
      ttlMs: undefined,
      freshUntil: undefined,
      tags: undefined,
    });
  });
});
