// Other users' public profiles: a name to show next to a referral or a member list, never an email.
import { Router } from 'express';
import type { AccessTokens } from '../auth/access-tokens.js';
import { requireCaller } from '../auth/authenticate.js';
import { HttpError } from '../http/errors.js';
import type { UserProfiles } from '../users/user-profiles.js';

export function usersRouter(deps: { profiles: UserProfiles; accessTokens: AccessTokens }): Router {
  const router = Router();
  router.use('/users', requireCaller(deps.accessTokens));

  router.get('/users/:id', async (req, res) => {
    const user = await deps.profiles.get(req.params.id);
    if (!user) throw new HttpError(404, 'user_not_found', 'No such user.');
    res.json({
      user: { id: user.id, displayName: user.displayName, createdAt: user.createdAt.toISOString() },
    });
  });

  return router;
}
