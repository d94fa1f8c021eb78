import type { SessionData } from 'express-session';

/**
 * Idle TTL of a session in ms, as express-session sets it: `cookie.maxAge`
 * (ms left; a number on a live Cookie), else `cookie.expires`, else the default.
 * The result can be <= 0 (already expired): the store then deletes the session.
 */
export function idleTtlMs(session: SessionData | undefined, defaultMs: number, now = Date.now()): number {
  const cookie = session?.cookie as { maxAge?: unknown; expires?: unknown } | undefined;
  let ms: number | undefined;
  if (typeof cookie?.maxAge === 'number') {
    ms = cookie.maxAge;
  } else if (
    cookie?.expires instanceof Date ||
    typeof cookie?.expires === 'string' ||
    typeof cookie?.expires === 'number'
  ) {
    ms = new Date(cookie.expires).getTime() - now;
  }
  if (ms === undefined || Number.isNaN(ms)) return defaultMs;
  return Math.ceil(ms);
}
