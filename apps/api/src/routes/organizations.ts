// Organizations, their members and invites. Everything here needs a signed-in caller.
import { Router } from 'express';
import { z } from 'zod';
import type { AccessTokens } from '../auth/access-tokens.js';
import { callerOf, requireCaller } from '../auth/authenticate.js';
import { parsePageRequest } from '../http/pagination.js';
import { emailAddress, issuedToken, multiLine, singleLine } from '../http/text.js';
import { parseBody, parseQuery } from '../http/validate.js';
import type { InviteService } from '../invites/invite-service.js';
import type { OrganizationService } from '../orgs/organization-service.js';
import type { Presence } from '@rnh/realtime';

const name = singleLine({ min: 2, max: 120 });
const description = multiLine({ max: 2000 });

const createBody = z.object({ name, description: description.default('') });
const updateBody = z
  .object({ name: name.optional(), description: description.optional() })
  .refine(
    (body) => body.name !== undefined || body.description !== undefined,
    'name or description is required',
  );
const inviteBody = z.object({
  email: emailAddress(),
  role: z.enum(['admin', 'member'], { error: 'must be admin or member' }).default('member'),
});
const acceptBody = z.object({ token: issuedToken() });
const presenceQuery = z.object({
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(100),
});

export function organizationsRouter(deps: {
  organizations: OrganizationService;
  invites: InviteService;
  accessTokens: AccessTokens;
  realtime: { presence: Pick<Presence, 'listOnline' | 'onlineCount'> };
}): Router {
  const { organizations, invites } = deps;
  const router = Router();
  router.use(['/orgs', '/invites'], requireCaller(deps.accessTokens));

  router.post('/orgs', async (req, res) => {
    const organization = await organizations.create(callerOf(res).userId, parseBody(createBody, req.body));
    res.status(201).location(`/orgs/${organization.id}`).json({ organization });
  });

  // The caller's organizations and their role in each.
  router.get('/orgs', async (req, res) => {
    res.json(await organizations.membershipsOf(callerOf(res).userId, parsePageRequest(req.query)));
  });

  router.get('/orgs/:orgId', async (req, res) => {
    res.json({ organization: await organizations.get(req.params.orgId) });
  });

  router.patch('/orgs/:orgId', async (req, res) => {
    const changes = parseBody(updateBody, req.body);
    res.json({ organization: await organizations.update(callerOf(res).userId, req.params.orgId, changes) });
  });

  router.get('/orgs/:orgId/members', async (req, res) => {
    res.json(
      await organizations.members(callerOf(res).userId, req.params.orgId, parsePageRequest(req.query)),
    );
  });

  // Who of the organization is online now (members only): user ids, a page at a time.
  router.get('/orgs/:orgId/presence', async (req, res) => {
    await organizations.requireMember(callerOf(res).userId, req.params.orgId);
    const { offset, limit } = parseQuery(presenceQuery, req.query);
    const { presence } = deps.realtime;
    const [online, count] = await Promise.all([
      presence.listOnline({ orgId: req.params.orgId, offset, limit }),
      presence.onlineCount(req.params.orgId),
    ]);
    res.json({ online: online.map((userId) => ({ userId })), count });
  });

  // A manager removes a member, or a member leaves (their own id).
  router.delete('/orgs/:orgId/members/:userId', async (req, res) => {
    await organizations.removeMember(callerOf(res).userId, req.params.orgId, req.params.userId);
    res.status(204).end();
  });

  router.post('/orgs/:orgId/invites', async (req, res) => {
    const invite = await invites.invite(
      callerOf(res).userId,
      req.params.orgId,
      parseBody(inviteBody, req.body),
    );
    res.status(201).json({ invite });
  });

  router.get('/orgs/:orgId/invites', async (req, res) => {
    res.json(await invites.listOpen(callerOf(res).userId, req.params.orgId, parsePageRequest(req.query)));
  });

  router.delete('/orgs/:orgId/invites/:inviteId', async (req, res) => {
    await invites.revoke(callerOf(res).userId, req.params.orgId, req.params.inviteId);
    res.status(204).end();
  });

  router.post('/invites/accept', async (req, res) => {
    const invite = await invites.accept(callerOf(res).userId, parseBody(acceptBody, req.body).token);
    res.json({ invite, organization: await organizations.get(invite.organizationId) });
  });

  return router;
}
