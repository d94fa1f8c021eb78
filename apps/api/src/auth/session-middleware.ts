// express-session on our Redis store. Cookie: httpOnly, SameSite=Lax, Secure in production,
// a neutral name; sliding idle expiry under the store's absolute lifetime cap.
//
// Sliding without `rolling`: every request still slides the session's idle TTL in Redis (the
// store's touch), but the cookie is re-sent only when the session changes or the browser's copy
// is past half its life. A response without Set-Cookie can be cached per user (responseCache
// never stores one with Set-Cookie), and an active user is still never logged out by their
// browser: the cookie is renewed at least every half idle period.
import session from 'express-session';
import type { CookieOptions, RequestHandler } from 'express';
import type { RedisSessionStore } from '@rnh/sessions';
import { HttpError } from '../http/errors.js';

export interface SessionDevice {
  userAgent?: string;
  ipPrefix?: string;
  createdAt: number;
  lastSeenAt: number;
}

declare module 'express-session' {
  interface SessionData {
    userId: string;
    device: SessionDevice;
    /** When the cookie was last re-sent (ms); changing it is what makes express-session re-send it. */
    cookieRenewedAt?: number;
  }
}

export interface SessionCookieOptions {
  store: RedisSessionStore;
  secret: string;
  cookieName: string;
  idleTtlSeconds: number;
  secure: boolean;
}

export function sessionMiddleware(options: SessionCookieOptions): RequestHandler[] {
  return [sessionParser(options), renewCookiePastHalfLife(options.idleTtlSeconds * 1000)];
}

/** express-session alone: loads `req.session` from the cookie (a WebSocket upgrade needs just that). */
export function sessionParser(options: SessionCookieOptions): RequestHandler {
  return session({
    store: options.store,
    secret: options.secret,
    name: options.cookieName,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    // 'keep' (not 'destroy'): when the store cannot load a session (Redis down), req.session is
    // unset and 'destroy' would delete the user's session once Redis is back: a silent logout.
    unset: 'keep',
    cookie: { ...sessionCookieAttributes(options.secure), maxAge: options.idleTtlSeconds * 1000 },
  });
}

/** The session cookie's attributes; clearing it takes the same ones, or browsers keep it. */
export function sessionCookieAttributes(secure: boolean): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/' };
}

/**
 * Before a route that starts a session: with Secure cookies, a request Express does not see
 * as HTTPS (plain HTTP, or a proxy's X-Forwarded-Proto it does not trust) would get no cookie
 * at all, a 200 that signs no one in, and an orphan session in Redis. Refuse it instead,
 * before anything is created.
 */
export function requireCookieTransport(secure: boolean): RequestHandler {
  return (req, _res, next) => {
    if (!secure || req.secure) return next();
    next(
      new HttpError(
        403,
        'insecure_transport',
        'Sign in over HTTPS: the session cookie is Secure, and a browser would not get it over plain HTTP.',
      ),
    );
  };
}

/** Marks a signed-in session modified once its cookie has less than half its idle life left. */
export function renewCookiePastHalfLife(idleMs: number): RequestHandler {
  return (req, _res, next) => {
    const expires = req.session?.userId ? req.session.cookie.expires : undefined;
    // express-session has already slid cookie.expires for this request; the browser's copy is
    // as old as the last renewal.
    const renewedAt = req.session?.cookieRenewedAt ?? req.session?.device?.createdAt;
    if (expires && renewedAt !== undefined && Date.now() - renewedAt > idleMs / 2)
      req.session.cookieRenewedAt = Date.now();
    next();
  };
}
