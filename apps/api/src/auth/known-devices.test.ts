import type { Request, Response } from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KnownDevices } from './known-devices.js';

const devices = new KnownDevices({ secret: 's'.repeat(32), cookieName: 'sid_device', secure: true });

/** The cookie value `remember` sets for this email, and its options. */
function remembered(email: string): { value: string; options: Record<string, unknown> } {
  let set: { value: string; options: Record<string, unknown> } | undefined;
  const res = {
    cookie: (_name: string, value: string, options: Record<string, unknown>) => (set = { value, options }),
  } as unknown as Response;
  devices.remember(res, email);
  return set!;
}

const requestWith = (cookie: string | undefined) => ({ headers: { cookie } }) as unknown as Request;

describe('KnownDevices', () => {
  afterEach(() => vi.useRealTimers());

  it('recognizes the browser for the account it signed in to, whatever the email case', () => {
    const { value, options } = remembered('Ada@Example.com');
    expect(options).toMatchObject({ httpOnly: true, secure: true, sameSite: 'strict', path: '/auth' });
    const req = requestWith(`sid=abc; sid_device=${value}; other=1`);
    expect(devices.recognizes(req, 'ada@example.com')).toBe(true);
    expect(devices.recognizes(req, 'bob@example.com')).toBe(false);
  });

  it('refuses a missing, tampered, foreign or expired cookie', () => {
    const { value } = remembered('ada@example.com');
    const [nonce, issuedAt, mac] = value.split('.');
    expect(devices.recognizes(requestWith(undefined), 'ada@example.com')).toBe(false);
    expect(
      devices.recognizes(requestWith(`sid_device=${nonce}.${issuedAt}.${mac}x`), 'ada@example.com'),
    ).toBe(false);
    expect(
      devices.recognizes(
        requestWith(`sid_device=${nonce}.${(Number.parseInt(issuedAt!, 36) + 1).toString(36)}.${mac}`),
        'ada@example.com',
      ),
    ).toBe(false);
    const other = new KnownDevices({ secret: 't'.repeat(32), cookieName: 'sid_device', secure: true });
    expect(other.recognizes(requestWith(`sid_device=${value}`), 'ada@example.com')).toBe(false);

    vi.useFakeTimers({ now: Date.now() + 181 * 86_400_000 });
    expect(devices.recognizes(requestWith(`sid_device=${value}`), 'ada@example.com')).toBe(false);
  });
});
