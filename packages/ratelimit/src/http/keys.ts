import type { IncomingMessage } from 'node:http';
import { clientAddressKey } from './ip.js';

/**
 * The parts of an Express request the key generators read (a plain Node request
 * works too). `ip` is Express's `req.ip`, computed from the app's `trust proxy`
 * setting: X-Forwarded-For counts only when the app trusts its proxy.
 */
export interface RateLimitRequest extends IncomingMessage {
  ip?: string;
  route?: { path?: unknown };
  baseUrl?: string;
  path?: string;
}

/** The identifier a request is limited by; undefined means "do not limit this request". */
export type KeyGenerator<R extends RateLimitRequest = RateLimitRequest> = (
  req: R,
) => string | undefined | Promise<string | undefined>;

export interface IpKeyOptions {
  /** IPv6 addresses are grouped by this prefix length; default 64. */
  ipv6PrefixBits?: number;
}

/**
 * By client address: `req.ip` (never X-Forwarded-For read here; set `trust proxy`
 * on the app instead), else the socket's address. See `clientAddressKey`.
 */
export function ipKey<R extends RateLimitRequest = RateLimitRequest>(
  options: IpKeyOptions = {},
): KeyGenerator<R> {
  const bits = options.ipv6PrefixBits ?? 64;
  return (req) => clientAddressKey(req.ip ?? req.socket?.remoteAddress, bits);
}

/** By user id, from a getter you give (e.g. `(req) => req.user?.id`); no user -> not limited by this key. */
export function userKey<R extends RateLimitRequest>(
  getUserId: (req: R) => string | number | null | undefined,
): KeyGenerator<R> {
  return (req) => {
    const id = getUserId(req);
    return id === undefined || id === null || id === '' ? undefined : `user:${id}`;
  };
}

export interface ApiKeyOptions {
  /** Request header holding the key; default `x-api-key`. */
  header?: string;
}

/** By API key, from a header; no header -> not limited by this key. The limiter hashes it before it reaches Redis. */
export function apiKeyKey<R extends RateLimitRequest = RateLimitRequest>(
  options: ApiKeyOptions = {},
): KeyGenerator<R> {
  const header = (options.header ?? 'x-api-key').toLowerCase();
  return (req) => {
    const raw = req.headers[header];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    return value ? `apikey:${value}` : undefined;
  };
}

/**
 * By route (method and the matched Express route pattern, e.g. `POST /login`), and
 * by `inner` when given (per route and per client). Outside a route (app.use) the
 * request path is used, which makes one bucket per path.
 */
export function routeKey<R extends RateLimitRequest>(inner?: KeyGenerator<R>): KeyGenerator<R> {
  return async (req) => {
    const pattern = typeof req.route?.path === 'string' ? req.route.path : undefined;
    const path = pattern ?? req.path ?? (req.url ?? '/').split('?')[0];
    const route = `route:${req.method ?? 'GET'} ${req.baseUrl ?? ''}${path}`;
    if (!inner) return route;
    const part = await inner(req);
    return part === undefined ? undefined : `${route}|${part}`;
  };
}

/** The first key any generator gives, e.g. `firstKey(userKey(getId), ipKey())`: per user when signed in, else per address. */
export function firstKey<R extends RateLimitRequest>(...generators: Array<KeyGenerator<R>>): KeyGenerator<R> {
  return async (req) => {
    for (const generator of generators) {
      const key = await generator(req);
      if (key !== undefined) return key;
    }
    return undefined;
  };
}
