// Referrals between organizations: make one, list an organization's, see one, move it along.
import { Router } from 'express';
import { z } from 'zod';
import type { AccessTokens } from '../auth/access-tokens.js';
import { callerOf, requireCaller } from '../auth/authenticate.js';
import { parsePageRequest } from '../http/pagination.js';
import { emailAddress, multiLine, singleLine } from '../http/text.js';
import { parseBody, parseQuery } from '../http/validate.js';
import type { ReferralService } from '../referrals/referral-service.js';
import { REFERRAL_STATUSES, REFERRAL_TRANSITIONS, type ReferralAction } from '../referrals/status.js';

const createBody = z.object({
  toOrganizationId: z.uuid('must be an organization id'),
  candidateName: singleLine({ min: 1, max: 200 }),
  candidateEmail: emailAddress().optional(),
  note: multiLine({ max: 4000 }).optional(),
});
const listQuery = z.object({
  direction: z.enum(['sent', 'received'], { error: 'must be sent or received' }).default('received'),
  status: z.enum(REFERRAL_STATUSES, { error: `must be one of ${REFERRAL_STATUSES.join(', ')}` }).optional(),
});

export function referralsRouter(deps: { referrals: ReferralService; accessTokens: AccessTokens }): Router {
  const { referrals } = deps;
  const router = Router();
  router.use(['/referrals', '/orgs/:orgId/referrals'], requireCaller(deps.accessTokens));

  router.post('/orgs/:orgId/referrals', async (req, res) => {
    const referral = await referrals.create(
      callerOf(res).userId,
      req.params.orgId,
      parseBody(createBody, req.body),
    );
    res.status(201).location(`/referrals/${referral.id}`).json({ referral });
  });

  router.get('/orgs/:orgId/referrals', async (req, res) => {
    const { direction, status } = parseQuery(listQuery, req.query);
    const page = parsePageRequest(req.query);
    res.json(
      await referrals.list(
        callerOf(res).userId,
        { organizationId: req.params.orgId, direction, status },
        page,
      ),
    );
  });

  router.get('/referrals/:id', async (req, res) => {
    res.json({ referral: await referrals.get(callerOf(res).userId, req.params.id) });
  });

  for (const action of Object.keys(REFERRAL_TRANSITIONS) as ReferralAction[]) {
    router.post(`/referrals/:id/${action}`, async (req, res) => {
      res.json({ referral: await referrals.act(callerOf(res).userId, req.params.id, action) });
    });
  }

  return router;
}
