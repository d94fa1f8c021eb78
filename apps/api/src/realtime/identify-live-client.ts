// Who opens a live connection (GET /events, GET /ws): a browser with its session cookie or an API
// client with a Bearer access token, the same credentials as every other route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticate } from '@rnh/realtime';
import type { Request, RequestHandler } from 'express';
import type { AccessTokens } from '../auth/access-tokens.js';
import type { OrganizationService } from '../orgs/organization-service.js';

/**
 * The identity of a live connection, or null (401). A Bearer token is checked for revocation too.
 * A WebSocket upgrade has not been through Express, so its session cookie is read here with
 * `parseSession` (express-session); an SSE request comes with `req.session` already loaded. A
 * session store failure (Redis down) rejects, and the transport answers 503.
 */
export function identifyLiveClient(deps: {
  accessTokens: AccessTokens;
  organizations: Pick<OrganizationService, 'organizationIdsOf'>;
  parseSession: RequestHandler;
}): Authenticate {
  return async (request) => {
    const userId = await callerId(request, deps);
    if (!userId) return null;
    return { userId, orgIds: await deps.organizations.organizationIdsOf(userId) };
  };
}

async function callerId(
  request: IncomingMessage,
  deps: { accessTokens: AccessTokens; parseSession: RequestHandler },
): Promise<string | undefined> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const check = await deps.accessTokens.authenticate(header.slice('Bearer '.length).trim());
    return check.ok ? check.userId : undefined;
  }
  const req = request as Request;
  if (!('session' in req)) {
    // express-session only reads the cookie and hooks the response's headers: an unsent one will do.
    await new Promise<void>((resolve, reject) =>
      deps.parseSession(req, {} as ServerResponse as never, (error?: unknown) =>
        error ? reject(error) : resolve(),
      ),
    );
  }
  return req.session?.userId;
}
