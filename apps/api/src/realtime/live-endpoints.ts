// The api's live endpoints: GET /events (server-sent events) and GET /ws (WebSocket), both on the
// signed-in user's event feed, their organizations' presence, and the same credentials as the API.
import type { Server } from 'node:http';
import { attachWebSocket, sseHandler, type WebSocketEndpoint } from '@rnh/realtime';
import type { RequestHandler } from 'express';
import { sessionParser } from '../auth/session-middleware.js';
import type { ApiContainer } from '../container.js';
import { identifyLiveClient } from './identify-live-client.js';

type LiveDeps = Pick<
  ApiContainer,
  'realtime' | 'accessTokens' | 'organizations' | 'sessionStore' | 'registry' | 'config'
>;

/** GET /events: behind the session middleware, so the cookie is already read. */
export function liveEventsHandler(container: LiveDeps): RequestHandler {
  const handle = sseHandler(container.realtime.hub, {
    authenticate: authenticator(container),
    registry: container.registry,
  });
  return (req, res) => void handle(req, res);
}

/**
 * GET /ws on the api's HTTP server. Browsers may connect from the api's own origin and
 * API_ALLOWED_ORIGINS (as for cookie-authenticated writes); other pages get 403.
 */
export function attachLiveWebSocket(server: Server, container: LiveDeps): WebSocketEndpoint {
  const allowed = container.config.http.allowedOrigins;
  return attachWebSocket(server, container.realtime.hub, {
    path: '/ws',
    authenticate: authenticator(container),
    allowedOrigins: (origin) => allowed.includes(origin),
    registry: container.registry,
  });
}

function authenticator(container: LiveDeps) {
  const { sessions } = container.config;
  return identifyLiveClient({
    accessTokens: container.accessTokens,
    organizations: container.organizations,
    parseSession: sessionParser({
      store: container.sessionStore,
      secret: sessions.secret,
      cookieName: sessions.cookieName,
      idleTtlSeconds: sessions.idleTtlSeconds,
      secure: sessions.secureCookie,
    }),
  });
}
