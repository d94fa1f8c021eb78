// "Known device" cookies: a browser that signed in to an account gets a cookie naming no one,
// HMACed with the account's email, that proves it did. A sign-in from such a browser is not
// counted nor stopped by the per-account failed sign-in limit (see limits/rate-limiters.ts), so
// an attacker guessing from many addresses cannot lock the real user out of their own devices.
// The cookie lifts nothing else: the per-address limit still applies.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';

/** How long a browser stays known after its last sign-in (each sign-in renews it). */
const KNOWN_FOR_MS = 180 * 86_400_000;

export interface KnownDevicesOptions {
  /** The session secret: the cookie's HMAC key is derived from it (a key of its own). */
  secret: string;
  cookieName: string;
  /** Secure cookie (production): sent over HTTPS only. */
  secure: boolean;
}

export class KnownDevices {
  private readonly key: Buffer;
  private readonly cookie: CookieOptions;

  constructor(private readonly options: KnownDevicesOptions) {
    this.key = createHash('sha256').update(`known-device:${options.secret}`).digest();
    // Only the sign-in routes read it; SameSite=Strict, as no other site has reason to send it.
    this.cookie = { httpOnly: true, sameSite: 'strict', secure: options.secure, path: '/auth' };
  }

  /** After a successful sign-in: this browser is now known to the account (the newest one it signed in to). */
  remember(res: Response, email: string): void {
    const nonce = randomBytes(12).toString('base64url');
    const issuedAt = Date.now().toString(36);
    res.cookie(this.options.cookieName, `${nonce}.${issuedAt}.${this.mac(email, nonce, issuedAt)}`, {
      ...this.cookie,
      maxAge: KNOWN_FOR_MS,
    });
  }

  /** Whether the request comes from a browser that signed in to the account of `email` before. */
  recognizes(req: Request, email: string): boolean {
    const [nonce, issuedAt, mac, ...rest] = (readCookie(req, this.options.cookieName) ?? '').split('.');
    if (!nonce || !issuedAt || !mac || rest.length > 0) return false;
    const age = Date.now() - Number.parseInt(issuedAt, 36);
    if (!(age >= 0 && age < KNOWN_FOR_MS)) return false;
    const expected = Buffer.from(this.mac(email, nonce, issuedAt));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(email: string, nonce: string, issuedAt: string): string {
    return createHmac('sha256', this.key)
      .update(`${email.trim().toLowerCase()}\n${nonce}\n${issuedAt}`)
      .digest('base64url');
  }
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
