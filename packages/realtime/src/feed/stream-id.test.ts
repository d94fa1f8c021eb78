import { describe, expect, it } from 'vitest';
import { compareStreamIds, isStreamId, streamIdTime } from './stream-id.js';

describe('stream ids', () => {
  it('orders by milliseconds, then by sequence, as numbers rather than text', () => {
    expect(compareStreamIds('1700000000000-2', '1700000000000-10')).toBeLessThan(0);
    expect(compareStreamIds('999-0', '1000-0')).toBeLessThan(0);
    expect(compareStreamIds('1000-5', '1000-5')).toBe(0);
    expect(compareStreamIds('1001-0', '1000-99')).toBeGreaterThan(0);
  });

  it('accepts only what Redis hands out, so a cursor from a client is never a command argument of its own making', () => {
    expect(isStreamId('1700000000000-0')).toBe(true);
    expect(isStreamId('0-0')).toBe(true);
    for (const bad of [
      '',
      '-',
      '1-',
      '-1',
      '1-2-3',
      '+',
      '$',
      '1 -2',
      '1700000000000-0\n',
      '1'.repeat(16) + '-0',
    ]) {
      expect(isStreamId(bad), bad).toBe(false);
    }
  });

  it('reads the time Redis stored the entry from the id', () => {
    expect(streamIdTime('1700000000123-4')).toBe(1700000000123);
  });
});
