// Operators' view of the job queues: counts by state, dead jobs, retry and purge. Only for the
// accounts listed in API_ADMIN_EMAILS whose email is verified: anyone can sign up with an address,
// only its owner can verify it (see the README on bootstrapping the first operator).
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { DeadJobNotFoundError, QueueSealingError, type JobDefinitions, type QueueProducer } from '@rnh/queue';
import type { AccessTokens } from '../auth/access-tokens.js';
import { callerOf, requireCaller } from '../auth/authenticate.js';
import { HttpError } from '../http/errors.js';
import { parseQuery } from '../http/validate.js';
import type { UserProfiles } from '../users/user-profiles.js';
import { normalizeEmail } from '../users/users-repository.js';

const deadQuery = z.object({
  offset: z.coerce.number().int().min(0, 'must be 0 or more').default(0),
  limit: z.coerce.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
});

export function adminRouter(deps: {
  queues: QueueProducer<JobDefinitions>[];
  adminEmails: readonly string[];
  profiles: UserProfiles;
  accessTokens: AccessTokens;
}): Router {
  const router = Router();
  const adminEmails = new Set(deps.adminEmails.map(normalizeEmail));
  const requireAdmin: RequestHandler = (_req, res, next) => {
    deps.profiles.get(callerOf(res).userId).then((user) => {
      if (user?.emailVerifiedAt && adminEmails.has(normalizeEmail(user.email))) return next();
      next(new HttpError(403, 'forbidden', 'Only operators (with a verified email) may see the queues.'));
    }, next);
  };
  router.use('/admin', requireCaller(deps.accessTokens), requireAdmin);

  const queueOf = (name: string) => {
    const queue = deps.queues.find((candidate) => candidate.definition.name === name);
    if (!queue)
      throw new HttpError(404, 'queue_not_found', `No queue named ${JSON.stringify(name.slice(0, 64))}.`);
    return queue;
  };

  router.get('/admin/queues', async (_req, res) => {
    const queues = await Promise.all(
      deps.queues.map(async (queue) => ({ name: queue.definition.name, counts: await queue.counts() })),
    );
    res.json({ queues });
  });

  router.get('/admin/queues/:name/dead', async (req, res) => {
    const { offset, limit } = parseQuery(deadQuery, req.query);
    res.json(await queueOf(req.params.name).deadLetters.list({ offset, limit }));
  });

  router.post('/admin/queues/:name/dead/:id/retry', async (req, res) => {
    try {
      res.status(202).json({ retried: await queueOf(req.params.name).deadLetters.retry(req.params.id) });
    } catch (error) {
      if (error instanceof DeadJobNotFoundError)
        throw new HttpError(404, 'dead_job_not_found', 'No such dead job.');
      // Its secret fields were sealed with another JOB_SECRET_KEY: retrying cannot send it.
      if (error instanceof QueueSealingError)
        throw new HttpError(
          409,
          'dead_job_unreadable',
          'This dead job cannot be retried: its sealed fields do not open.',
        );
      throw error;
    }
  });

  router.delete('/admin/queues/:name/dead', async (req, res) => {
    res.json({ purged: await queueOf(req.params.name).deadLetters.purge() });
  });

  return router;
}
