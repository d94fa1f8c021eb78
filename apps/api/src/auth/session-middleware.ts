// express-session on our Redis store. Cookie: httpOnly, SameSite=Lax, Secure in production,
// a neutral name; sliding idle expiry under the store's absolute lifetime cap.
//
// Sliding without `rolling`: every request still slides the session's idle TTL in Redis (the
// store's touch), but the cookie is re-sent only when the session changes or the browser's copy
// is past half its life. A response without Set-Cookie can be cached per user (responseCache
// never stores one with Set-Cookie), and an active user is still never logged out by their
// browser: the cookie is renewed at least every half idle period.
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { RedisSessionStore } from '@rnh/sessions';

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
  return [expressSession(options), renewCookiePastHalfLife(options.idleTtlSeconds * 1000)];
}

function expressSession(options: SessionCookieOptions): RequestHandler {
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
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secure,
      path: '/',
      maxAge: options.idleTtlSeconds * 1000,
    },
  });
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
