// Who is calling: a browser with a session cookie, or an API client with a Bearer access token.
import type { Request, RequestHandler } from 'express';
import { HttpError } from '../http/errors.js';
import type { AccessTokens } from './access-tokens.js';

export interface Caller {
  userId: string;
  /** The session id when the caller came with a session cookie. */
  sessionId?: string;
}

/** Sets `res.locals.caller` or answers 401. */
export function requireCaller(accessTokens: AccessTokens): RequestHandler {
  return (req, res, next) => {
    const caller = identify(req, accessTokens);
    if (!caller) return next(new HttpError(401, 'unauthenticated', 'Sign in first.'));
    res.locals.caller = caller;
    next();
  };
}

/** The caller of a request, or undefined when it is anonymous (or its token is invalid). */
export function identify(req: Request, accessTokens: AccessTokens): Caller | undefined {
  const header = req.get('authorization');
  if (header?.startsWith('Bearer ')) {
    const userId = accessTokens.verify(header.slice('Bearer '.length).trim());
    return userId ? { userId } : undefined;
  }
  const userId = req.session?.userId;
  return userId ? { userId, sessionId: req.sessionID } : undefined;
}

export function callerOf(res: { locals: Record<string, unknown> }): Caller {
  return res.locals.caller as Caller;
}
