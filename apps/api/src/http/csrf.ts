// Cross-site request forgery: a page on another site can make a browser send a write with the
// user's cookies. SameSite=Lax stops most of it, not all (same-site subdomains, old browsers,
// top-level POST navigations in some). So every unsafe request that could ride on a cookie must
// come from an allowed origin:
// - with an Origin header (browsers send one on every POST, PUT, PATCH and DELETE, cross-site
//   ones always), it must be an allowed origin; `null` (sandboxed pages, some redirects) is not,
//   except with Sec-Fetch-Site `same-origin`: a page of this api whose Referrer-Policy is
//   no-referrer (the mail-link pages, whose URL holds a token) makes the browser send `null` on
//   its own form POSTs (Fetch standard, "append a request Origin header"); the browser sets
//   Sec-Fetch-Site itself, and no page of another origin can make it say same-origin;
// - without Origin, Sec-Fetch-Site (sent by current browsers) must be `same-origin` or `none`
//   (the user's own action, e.g. a bookmark);
// - with neither, the request did not come from a browser page (curl, a server, a mobile app):
//   nothing was forged, since forgery needs a victim's browser, which always names the origin.
//   It is allowed.
// Requests with a Bearer token are exempt: a page cannot add an Authorization header to a
// cross-site request without a CORS preflight this api never grants, and a token is not sent
// by the browser on its own as a cookie is. Anonymous writes are checked too: a forged sign-in
// would put the victim in the attacker's account.
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BROWSER_OWN_ACTIONS = new Set(['same-origin', 'none']);

export function rejectCrossSiteWrites(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || /^Bearer /i.test(req.get('authorization') ?? '')) return next();
    const origin = req.get('origin');
    const site = req.get('sec-fetch-site');
    const crossSite =
      origin === undefined
        ? site !== undefined && !BROWSER_OWN_ACTIONS.has(site)
        : !allowed.has(origin) && !(origin === 'null' && site === 'same-origin');
    if (!crossSite) return next();
    next(
      new HttpError(
        403,
        'csrf_rejected',
        'This request came from a page of another site; it is refused to protect your account.',
      ),
    );
  };
}
