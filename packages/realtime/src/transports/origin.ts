import type { IncomingMessage } from 'node:http';

/** Browser origins that may open a WebSocket besides the server's own: a list, or a check. */
export type AllowedOrigins = readonly string[] | ((origin: string) => boolean);

/**
 * Browsers send Origin with every WebSocket handshake and do not apply CORS to it, so a page on
 * another site could open a socket with the user's cookie (cross-site WebSocket hijacking). The
 * server's own origin (Origin's host is the Host header) is always allowed, others only when
 * listed. A request without Origin is not from a browser page (a server or CLI with a token).
 */
export function originAllowed(request: IncomingMessage, allowed: AllowedOrigins | undefined): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (sameOrigin(origin, request.headers.host)) return true;
  if (typeof allowed === 'function') return allowed(origin);
  return allowed?.includes(origin) ?? false;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
