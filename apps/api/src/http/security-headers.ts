// Security headers on every response, by helmet. This is a JSON API: no page of it should ever
// run script, load anything or be framed, hence `default-src 'none'; frame-ancestors 'none'`.
// The few HTML pages (the ones mail links open, pages/layout.ts) add only their own stylesheet,
// by hash, and `form-action 'self'`.
//
// Caching: every response is `Cache-Control: no-store` (tokens, sessions, personal data; errors
// and 429s too, so no cache keeps a refusal). The one exception is GET /me, which is
// `private, no-cache` (see composition/api-cache.ts): only the user's own browser may keep it and
// must revalidate it (ETag, 304) each time; no-store would also keep our server-side response
// cache from storing it.
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export function securityHeaders(options: { production: boolean }): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
      // Over HTTPS (behind the proxy) in production only: a development browser on
      // http://localhost must not learn to refuse plain HTTP for a year.
      strictTransportSecurity: options.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: { action: 'deny' },
    }),
    (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
  ];
}
