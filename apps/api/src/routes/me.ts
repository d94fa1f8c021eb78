// The signed-in user: profile, password change, email verification, and their sessions (devices).
import { createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { SessionIndex } from '@rnh/sessions';
import type { AccessTokens } from '../auth/access-tokens.js';
import type { AccountService } from '../auth/account-service.js';
import { callerOf, requireCaller } from '../auth/authenticate.js';
import { HttpError } from '../http/errors.js';
import { givenPassword, newPassword, singleLine } from '../http/text.js';
import { parseBody } from '../http/validate.js';
import type { UserProfiles } from '../users/user-profiles.js';
import { publicUser } from './public-user.js';

const profileBody = z.object({ displayName: singleLine({ min: 1, max: 100 }) });

const changePasswordBody = z.object({ currentPassword: givenPassword(), newPassword: newPassword() });

/**
 * Session ids are bearer secrets, so the device list never shows them: each
 * session is named by a short hash that is only good for revoking it.
 */
export function sessionHandle(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url').slice(0, 22);
}

export function meRouter(deps: {
  accounts: AccountService;
  profiles: UserProfiles;
  sessionIndex: SessionIndex;
  accessTokens: AccessTokens;
  /** Caches the caller's own GET /me response (private: keyed by user, tagged `user:<id>`). */
  profileResponseCache: RequestHandler;
  /** Wrong current passwords count as failed sign-ins of the account. */
  passwordChangeLimits: RequestHandler[];
}): Router {
  const { accounts, profiles, sessionIndex } = deps;
  const router = Router();
  router.use('/me', requireCaller(deps.accessTokens));

  router.get('/me', deps.profileResponseCache, async (_req, res) => {
    const user = await profiles.get(callerOf(res).userId);
    if (!user) throw new HttpError(401, 'unauthenticated', 'Sign in first.');
    res.json({ user: publicUser(user) });
  });

  router.patch('/me', async (req, res) => {
    const { displayName } = parseBody(profileBody, req.body);
    const user = await profiles.rename(callerOf(res).userId, displayName);
    if (!user) throw new HttpError(401, 'unauthenticated', 'Sign in first.');
    res.json({ user: publicUser(user) });
  });

  router.post('/me/password', ...deps.passwordChangeLimits, async (req, res) => {
    const { currentPassword, newPassword } = parseBody(changePasswordBody, req.body);
    const caller = callerOf(res);
    await accounts.changePassword(caller.userId, currentPassword, newPassword, caller.sessionId);
    res.status(204).end();
  });

  router.post('/me/verify-email', async (_req, res) => {
    await accounts.sendEmailVerification(await accounts.requireUser(callerOf(res).userId), { resend: true });
    res
      .status(202)
      .json({ message: 'If your email is not verified yet, a verification link is on its way.' });
  });

  router.get('/me/sessions', async (_req, res) => {
    const caller = callerOf(res);
    const sessions = await sessionIndex.list(caller.userId, caller.sessionId);
    res.json({
      sessions: sessions.map((entry) => ({
        id: sessionHandle(entry.sessionId),
        current: entry.sessionId === caller.sessionId,
        userAgent: entry.device.userAgent ?? null,
        ipPrefix: entry.device.ipPrefix ?? null,
        createdAt: new Date(entry.device.createdAt).toISOString(),
        lastSeenAt: new Date(entry.device.lastSeenAt).toISOString(),
      })),
    });
  });

  router.delete('/me/sessions/:id', async (req, res) => {
    const caller = callerOf(res);
    const sessions = await sessionIndex.list(caller.userId, caller.sessionId);
    const target = sessions.find((entry) => sessionHandle(entry.sessionId) === req.params.id);
    if (!target) throw new HttpError(404, 'session_not_found', 'No such session of yours.');
    await sessionIndex.revoke(caller.userId, target.sessionId);
    res.status(204).end();
  });

  // Sign out everywhere else (e.g. after losing a device): other sessions and every other API
  // client, whose access tokens stop working at once.
  router.delete('/me/sessions', async (_req, res) => {
    const caller = callerOf(res);
    const revoked = caller.sessionId
      ? await sessionIndex.revokeOthers(caller.userId, caller.sessionId)
      : await sessionIndex.revokeAll(caller.userId);
    await accounts.signOutOtherClients(caller.userId, caller.familyId);
    res.json({ revoked });
  });

  return router;
}
