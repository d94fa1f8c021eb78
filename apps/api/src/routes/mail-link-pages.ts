// The pages the links in mail open: GET shows a page with a form and changes nothing (mail
// scanners and link previews fetch links too); the form's POST does the confirmation through the
// same services as the JSON routes, and the answer is a page again. The token appears only in the
// form's hidden field. A POST that is not a form (e.g. JSON to /invites/accept) goes on to the
// JSON routes.
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import type { Logger } from '@rnh/telemetry';
import type { AccountService } from '../auth/account-service.js';
import { describeError, HttpError, logRequestError } from '../http/errors.js';
import { issuedToken, newPassword } from '../http/text.js';
import type { InviteService } from '../invites/invite-service.js';
import type { OrganizationService } from '../orgs/organization-service.js';
import { invitePage, joinedPage, notSignedInPage, wrongAccountPage } from '../pages/invite-pages.js';
import { sendPage } from '../pages/layout.js';
import { failurePage, incompleteLinkPage, unusableLinkPage, type LinkFlow } from '../pages/link-problems.js';
import { passwordChangedPage, resetPasswordPage } from '../pages/reset-password-pages.js';
import { confirmEmailPage, emailConfirmedPage } from '../pages/verify-email-pages.js';
import type { UserProfiles } from '../users/user-profiles.js';

export interface MailLinkPagesDeps {
  accounts: AccountService;
  invites: InviteService;
  organizations: OrganizationService;
  profiles: UserProfiles;
  logger: Logger;
}

const FLOWS: Record<string, LinkFlow> = {
  '/verify-email': 'verify-email',
  '/reset-password': 'reset-password',
  '/invites/accept': 'invite',
};

const token = issuedToken();
const password = newPassword();

export function mailLinkPagesRouter(deps: MailLinkPagesDeps): Router {
  const { accounts, invites, organizations, profiles } = deps;
  const router = Router();
  const form = [onlyForms, express.urlencoded({ extended: false, limit: '10kb', parameterLimit: 10 })];
  const signedInEmail = async (req: Request) => {
    const userId = req.session?.userId;
    return userId ? (await profiles.get(userId))?.email : undefined;
  };

  router.get('/verify-email', async (req, res) => {
    const linkToken = tokenOf(req.query);
    await accounts.checkLink('email_verification', linkToken);
    sendPage(res, 200, confirmEmailPage(linkToken));
  });

  router.post('/verify-email', ...form, async (req, res) => {
    const user = await accounts.confirmEmail(tokenOf(req.body));
    sendPage(res, 200, emailConfirmedPage(user.email));
  });

  router.get('/reset-password', async (req, res) => {
    const linkToken = tokenOf(req.query);
    await accounts.checkLink('password_reset', linkToken);
    sendPage(res, 200, resetPasswordPage(linkToken));
  });

  router.post('/reset-password', ...form, async (req, res) => {
    const linkToken = tokenOf(req.body);
    const fields = req.body as Record<string, unknown>;
    const chosen = password.safeParse(fields.newPassword);
    if (!chosen.success)
      return sendPage(
        res,
        400,
        resetPasswordPage(linkToken, `The password ${chosen.error.issues[0]!.message}.`),
      );
    if (fields.confirmPassword !== chosen.data)
      return sendPage(
        res,
        400,
        resetPasswordPage(linkToken, 'The two passwords differ: type the same one twice.'),
      );
    try {
      await accounts.resetPassword(linkToken, chosen.data);
    } catch (error) {
      // A refused password leaves the link unused: the form again, with why.
      const { code, message } = describeError(error);
      if (code !== 'weak_password' && code !== 'password_reused') throw error;
      return sendPage(res, 400, resetPasswordPage(linkToken, message));
    }
    sendPage(res, 200, passwordChangedPage());
  });

  router.get('/invites/accept', async (req, res) => {
    const linkToken = tokenOf(req.query);
    const { invite, organization } = await invites.preview(linkToken);
    const summary = { organizationName: organization.name, role: invite.role, expiresAt: invite.expiresAt };
    sendPage(res, 200, invitePage(linkToken, summary, await signedInEmail(req)));
  });

  router.post('/invites/accept', ...form, async (req, res) => {
    const linkToken = tokenOf(req.body);
    const userId = req.session?.userId;
    if (!userId) return sendPage(res, 401, notSignedInPage());
    try {
      const invite = await invites.accept(userId, linkToken);
      const organization = await organizations.get(invite.organizationId);
      sendPage(res, 200, joinedPage(organization.name, invite.role));
    } catch (error) {
      if (describeError(error).code !== 'invite_for_another_email') throw error;
      sendPage(res, 403, wrongAccountPage(await signedInEmail(req)));
    }
  });

  router.use(pageErrors(deps.logger));
  return router;
}

/** Form posts only; anything else leaves this router for the JSON routes (or the JSON 404). */
const onlyForms: RequestHandler = (req, _res, next) => {
  next(req.is('application/x-www-form-urlencoded') ? undefined : 'router');
};

/** The link's token, from the query (GET) or the form (POST); 400 incomplete_link when it cannot be one. */
function tokenOf(fields: unknown): string {
  const parsed = token.safeParse((fields as Record<string, unknown> | undefined)?.token);
  if (parsed.success) return parsed.data;
  throw new HttpError(400, 'incomplete_link', 'The link is missing its token, or part of it.');
}

/** Errors of these routes as pages: never JSON, never a stack trace, never a 500 for a bad link. */
function pageErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const { status, code, message } = describeError(error);
    res.locals.errorCode = code;
    logRequestError(logger, error, req, status);
    if (res.headersSent) return;
    const flow = FLOWS[req.path] ?? 'verify-email';
    if (error instanceof HttpError) for (const [name, value] of error.headers) res.setHeader(name, value);
    if (code === 'incomplete_link') return sendPage(res, 400, incompleteLinkPage(flow));
    if (code === 'invalid_token') return sendPage(res, 400, unusableLinkPage(flow, message));
    sendPage(res, status, failurePage(status, message));
  };
}
