// Sign-up, sign-in and out, email verification, password reset, and API-client tokens.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AccountService } from '../auth/account-service.js';
import { ipPrefix } from '../auth/ip-prefix.js';
import type { KnownDevices } from '../auth/known-devices.js';
import { requireCookieTransport, sessionCookieAttributes } from '../auth/session-middleware.js';
import { destroySession, regenerateSession, saveSession } from '../auth/session-actions.js';
import { emailAddress, givenPassword, issuedToken, newPassword, singleLine } from '../http/text.js';
import { parseBody } from '../http/validate.js';
import type { HttpLimits } from '../limits/http-limits.js';
import { publicUser } from './public-user.js';

const email = emailAddress();
const token = issuedToken();

const signupBody = z.object({
  email,
  password: newPassword(),
  displayName: singleLine({ min: 1, max: 100 }),
});
const credentialsBody = z.object({ email, password: givenPassword() });
const tokenBody = z.object({ token });
const resetBody = z.object({ token, newPassword: newPassword() });
const emailBody = z.object({ email });
const refreshBody = z.object({ refreshToken: token });

export interface AuthCookies {
  session: { name: string; secure: boolean };
  knownDevices: KnownDevices;
}

export function authRouter(
  accounts: AccountService,
  cookies: AuthCookies,
  limits: Pick<HttpLimits, 'signIn' | 'signup'>,
): Router {
  const router = Router();
  // Routes that start a session refuse a transport its cookie cannot travel on.
  const sessionTransport = requireCookieTransport(cookies.session.secure);

  router.post('/auth/signup', sessionTransport, limits.signup, async (req, res) => {
    const input = parseBody(signupBody, req.body);
    const user = await accounts.signup(input);
    await startSession(req, user.id);
    cookies.knownDevices.remember(res, user.email);
    res.status(201).json({ user: publicUser(user) });
  });

  router.post('/auth/login', sessionTransport, ...limits.signIn, async (req, res) => {
    const { email: address, password: secret } = parseBody(credentialsBody, req.body);
    const user = await accounts.authenticate(address, secret);
    await startSession(req, user.id);
    cookies.knownDevices.remember(res, user.email);
    res.json({ user: publicUser(user) });
  });

  router.post('/auth/logout', async (req, res) => {
    if (req.session?.userId) await destroySession(req);
    res.clearCookie(cookies.session.name, sessionCookieAttributes(cookies.session.secure));
    res.status(204).end();
  });

  router.post('/auth/verify-email/confirm', async (req, res) => {
    const user = await accounts.confirmEmail(parseBody(tokenBody, req.body).token);
    res.json({ user: publicUser(user) });
  });

  // Always the same answer, whether or not the email has an account.
  router.post('/auth/password-reset/request', async (req, res) => {
    await accounts.requestPasswordReset(parseBody(emailBody, req.body).email);
    res.status(202).json({ message: 'If an account exists for that email, a reset link is on its way.' });
  });

  router.post('/auth/password-reset/confirm', async (req, res) => {
    const { token: resetToken, newPassword } = parseBody(resetBody, req.body);
    await accounts.resetPassword(resetToken, newPassword);
    res.status(204).end();
  });

  // API clients: credentials -> a short-lived access token and a rotating refresh token.
  router.post('/auth/token', ...limits.signIn, async (req, res) => {
    const { email: address, password: secret } = parseBody(credentialsBody, req.body);
    const user = await accounts.authenticate(address, secret);
    res.json(await accounts.issueClientTokens(user.id));
  });

  router.post('/auth/refresh', async (req, res) => {
    res.json(await accounts.refreshClientTokens(parseBody(refreshBody, req.body).refreshToken));
  });

  // An API client signs out. 204 whatever the token (as OAuth token revocation does): an unknown
  // or expired one has nothing left to revoke, and the answer tells nobody which tokens exist.
  router.post('/auth/token/revoke', async (req, res) => {
    await accounts.revokeClientTokens(parseBody(refreshBody, req.body).refreshToken);
    res.status(204).end();
  });

  return router;
}

/** A new session id on every sign-in (no session fixation), with the device it came from. */
async function startSession(req: Request, userId: string): Promise<void> {
  await regenerateSession(req);
  const now = Date.now();
  req.session.userId = userId;
  req.session.device = {
    userAgent: req.get('user-agent')?.slice(0, 200),
    ipPrefix: ipPrefix(req.ip),
    createdAt: now,
    lastSeenAt: now,
  };
  await saveSession(req);
}
