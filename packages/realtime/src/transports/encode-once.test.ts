import { describe, expect, it } from 'vitest';
import type { Delivery } from '../types.js';
import { encodeOnce } from './encode-once.js';

describe('encodeOnce', () => {
  it('encodes a delivery written to many connections once, and each new delivery anew', () => {
    let encodings = 0;
    const encode = encodeOnce((delivery: Delivery) => {
      encodings += 1;
      return JSON.stringify(delivery);
    });
    const broadcast: Delivery = { kind: 'channel', channel: 'announcement', data: { text: 'héllo' } };
    const bytes = encode(broadcast);
    for (let connection = 1; connection < 1000; connection++) expect(encode(broadcast)).toBe(bytes);
    expect(encodings).toBe(1);
    expect(bytes.toString('utf8')).toBe(JSON.stringify(broadcast));

    const next: Delivery = { kind: 'channel', channel: 'announcement', data: { text: 'héllo' } };
    expect(encode(next)).not.toBe(bytes);
    expect(encodings).toBe(2);
  });
});
