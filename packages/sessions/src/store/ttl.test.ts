import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { idleTtlMs } from './ttl.js';

const session = (cookie: Record<string, unknown>) => ({ cookie }) as unknown as SessionData;

describe('idleTtlMs', () => {
  it('takes maxAge, then expires, then the default', () => {
    expect(idleTtlMs(session({ maxAge: 5000 }), 1000)).toBe(5000);
    expect(idleTtlMs(session({ expires: new Date(10_000) }), 1000, 4000)).toBe(6000);
    expect(idleTtlMs(session({ expires: new Date(10_000).toISOString() }), 1000, 4000)).toBe(6000);
    expect(idleTtlMs(session({ expires: null }), 1000)).toBe(1000);
    expect(idleTtlMs(undefined, 1000)).toBe(1000);
    expect(idleTtlMs(session({ expires: 'not a date' }), 1000)).toBe(1000);
  });

  it('can be zero or negative for an expired cookie', () => {
    expect(idleTtlMs(session({ expires: new Date(1000) }), 1000, 5000)).toBe(-4000);
  });
});
