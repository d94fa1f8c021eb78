import type { IncomingMessage } from 'node:http';

/** Which browser origins may open a WebSocket: a list, a check, or (by default) the server's own. */
export type AllowedOrigins = readonly string[] | ((origin: string) => boolean);

/**
 * Browsers send Origin with every WebSocket handshake and do not apply CORS to it, so a page on
 * another site could open a socket with the user's cookie (cross-site WebSocket hijacking). A
 * request without Origin is not from a browser page (a server or CLI with a Bearer token).
 */
export function originAllowed(request: IncomingMessage, allowed: AllowedOrigins | undefined): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (typeof allowed === 'function') return allowed(origin);
  if (allowed) return allowed.includes(origin);
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
