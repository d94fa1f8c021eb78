// express-session on our Redis store. Cookie: httpOnly, SameSite=Lax, Secure in production,
// a neutral name; sliding idle expiry (rolling) under the store's absolute lifetime cap.
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
  }
}

export interface SessionCookieOptions {
  store: RedisSessionStore;
  secret: string;
  cookieName: string;
  idleTtlSeconds: number;
  secure: boolean;
}

export function sessionMiddleware(options: SessionCookieOptions): RequestHandler {
  return session({
    store: options.store,
    secret: options.secret,
    name: options.cookieName,
    resave: false,
    saveUninitialized: false,
    rolling: true,
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
