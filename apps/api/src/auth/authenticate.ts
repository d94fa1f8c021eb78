// Who is calling: a browser with a session cookie, or an API client with a Bearer access token.
import type { Request, RequestHandler } from 'express';
import { HttpError } from '../http/errors.js';
import type { AccessTokens } from './access-tokens.js';

export interface Caller {
  userId: string;
  /** The session id when the caller came with a session cookie. */
  sessionId?: string;
  /** The refresh family of an API client's access token. */
  familyId?: string;
}

/**
 * Sets `res.locals.caller` or answers 401: `unauthenticated` without valid credentials,
 * `access_token_revoked` for a token revoked since it was issued. 503 when revocation
 * cannot be checked (Redis down), never a guess.
 */
export function requireCaller(accessTokens: AccessTokens): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req);
    if (token === undefined) {
      const caller = identify(req, accessTokens);
      if (!caller) return next(new HttpError(401, 'unauthenticated', 'Sign in first.'));
      res.locals.caller = caller;
      return next();
    }
    const check = await accessTokens.authenticate(token);
    if (check.ok) {
      res.locals.caller = { userId: check.userId, familyId: check.familyId } satisfies Caller;
      return next();
    }
    if (check.reason === 'invalid') return next(new HttpError(401, 'unauthenticated', 'Sign in first.'));
    next(
      new HttpError(
        401,
        'access_token_revoked',
        'This access token was revoked (password change, sign-out); sign in again.',
      ),
    );
  };
}

/**
 * The caller a request claims to be, or undefined when it is anonymous (or its token is invalid).
 * A Bearer token is checked for signature and expiry only, not revocation: this is for keying
 * rate limits and caches without a Redis call; requireCaller decides who gets in.
 */
export function identify(req: Request, accessTokens: AccessTokens): Caller | undefined {
  const token = bearerToken(req);
  if (token !== undefined) {
    const userId = accessTokens.verify(token);
    return userId ? { userId } : undefined;
  }
  const userId = req.session?.userId;
  return userId ? { userId, sessionId: req.sessionID } : undefined;
}

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

export function callerOf(res: { locals: Record<string, unknown> }): Caller {
  return res.locals.caller as Caller;
}
