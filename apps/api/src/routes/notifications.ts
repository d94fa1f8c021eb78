// The signed-in user's notifications (referral events of their organizations, members who joined
// the ones they manage), newest first.
import { Router } from 'express';
import type { AccessTokens } from '../auth/access-tokens.js';
import { callerOf, requireCaller } from '../auth/authenticate.js';
import { HttpError } from '../http/errors.js';
import { parsePageRequest, toPage } from '../http/pagination.js';
import type { NotificationsRepository } from '../notifications/notifications-repository.js';

export function notificationsRouter(deps: {
  notifications: NotificationsRepository;
  accessTokens: AccessTokens;
}): Router {
  const router = Router();
  router.use('/me/notifications', requireCaller(deps.accessTokens));

  router.get('/me/notifications', async (req, res) => {
    const page = parsePageRequest(req.query);
    const rows = await deps.notifications.list(callerOf(res).userId, page);
    res.json(
      toPage(rows, page.limit, ({ id, referralId, inviteId, kind, message, read, createdAt }) => ({
        id,
        referralId,
        inviteId,
        kind,
        message,
        read,
        createdAt,
      })),
    );
  });

  router.post('/me/notifications/:id/read', async (req, res) => {
    if (!(await deps.notifications.markRead(callerOf(res).userId, req.params.id)))
      throw new HttpError(404, 'notification_not_found', 'No such notification of yours.');
    res.status(204).end();
  });

  return router;
}
