// The Express application: middleware order, routes, and JSON errors. No listening here (see server.ts).
import express, { type Express } from 'express';
import { httpMetricsMiddleware } from '@rnh/telemetry';
import type { ApiContainer } from './container.js';
import { rejectCrossSiteWrites } from './http/csrf.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { securityHeaders } from './http/security-headers.js';
import { callerOf, identify } from './auth/authenticate.js';
import { KnownDevices } from './auth/known-devices.js';
import { sessionMiddleware } from './auth/session-middleware.js';
import { httpLimits } from './limits/http-limits.js';
import { authRouter } from './routes/auth.js';
import { healthRouter } from './routes/health.js';
import { mailLinkPagesRouter } from './routes/mail-link-pages.js';
import { adminRouter } from './routes/admin.js';
import { meRouter } from './routes/me.js';
import { notificationsRouter } from './routes/notifications.js';
import { organizationsRouter } from './routes/organizations.js';
import { referralsRouter } from './routes/referrals.js';
import { usersRouter } from './routes/users.js';
import { liveEventsHandler } from './realtime/live-endpoints.js';

export function createApp(container: ApiContainer): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', container.config.http.trustProxy);
  const { sessions } = container.config;

  app.use(securityHeaders({ production: container.config.nodeEnv === 'production' }));
  app.use(httpMetricsMiddleware(container.registry));
  // Metrics are served on their own listener (metrics-server.ts), never here.
  app.use(healthRouter(container));

  const knownDevices = new KnownDevices({
    secret: sessions.secret,
    cookieName: `${sessions.cookieName}_device`,
    secure: sessions.secureCookie,
  });
  const limits = httpLimits(container.rateLimiters, {
    callerId: (req) => identify(req, container.accessTokens)?.userId,
    callerEmail: async (req) => {
      const caller = req.res ? callerOf(req.res) : undefined;
      return caller && (await container.profiles.get(caller.userId))?.email;
    },
    knownDevice: (req, email) => knownDevices.recognizes(req, email),
    failClosedStatus: container.config.rateLimits.failClosedStatus,
  });
  app.use(limits.global);
  app.use(rejectCrossSiteWrites(container.config.http.allowedOrigins));
  app.use(express.json({ limit: '100kb' }));
  app.use(
    sessionMiddleware({
      store: container.sessionStore,
      secret: container.config.sessions.secret,
      cookieName: container.config.sessions.cookieName,
      idleTtlSeconds: container.config.sessions.idleTtlSeconds,
      secure: container.config.sessions.secureCookie,
    }),
  );
  app.use(
    authRouter(
      container.accounts,
      { session: { name: sessions.cookieName, secure: sessions.secureCookie }, knownDevices },
      limits,
    ),
  );
  app.use(['/me', '/users', '/orgs', '/referrals', '/invites', '/admin', '/events'], limits.api);
  // Before the JSON routes: GET /invites/accept is a page, not a signed-in API call.
  app.use(
    mailLinkPagesRouter({
      accounts: container.accounts,
      invites: container.invites,
      organizations: container.organizations,
      profiles: container.profiles,
      logger: container.logger,
    }),
  );
  app.use(
    meRouter({
      accounts: container.accounts,
      profiles: container.profiles,
      sessionIndex: container.sessionIndex,
      accessTokens: container.accessTokens,
      profileResponseCache: container.profileResponseCache,
      passwordChangeLimits: limits.passwordChange,
    }),
  );
  app.use(notificationsRouter(container));
  // Live events (server-sent events); GET /ws is on the HTTP server (server.ts).
  app.get('/events', liveEventsHandler(container));
  app.use(usersRouter(container));
  app.use(organizationsRouter(container));
  app.use(referralsRouter(container));
  app.use(
    adminRouter({
      queues: container.queues.all,
      adminEmails: container.config.adminEmails,
      profiles: container.profiles,
      accessTokens: container.accessTokens,
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(container.logger));
  return app;
}
