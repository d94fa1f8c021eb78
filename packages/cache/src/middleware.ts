import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cache } from './cache.js';
import type { Ttl } from './types.js';

export interface ResponseCacheOptions {
  ttl?: Ttl;
  ttlSeconds?: number;
  /** Tags for the stored response (e.g. `org:42`), to invalidate it with the data it shows. */
  tags?: (req: IncomingMessage) => string[];
  /**
   * Makes the route private: the user the response belongs to, part of the key,
   * so one user's response is never served to another. Without a user (answers
   * undefined) the request is not cached at all. Omit for public routes.
   */
  user?: (req: IncomingMessage) => string | undefined;
  /**
   * Seconds a stored response is kept past its TTL to be replayed when the
   * handler fails (stale-if-error). Default: the cache's `graceSeconds`.
   */
  graceSeconds?: number;
}

/** What is stored for one response. */
interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  etag: string;
  /** base64 */
  body: string;
}

/** Response headers kept with a cached response (never Set-Cookie). */
const KEPT_HEADERS = ['content-type', 'content-language', 'cache-control', 'vary', 'last-modified'];

type Next = (error?: unknown) => void;
type Handler = (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: Next) => void;

/**
 * Express (or plain Node) middleware caching GET responses in `cache` (use a
 * namespace, e.g. `cache.namespace('http')`). The key hashes the path, the
 * query with its parameters sorted, and, for private routes, the user. Only
 * 2xx responses without Set-Cookie and without `Cache-Control: no-store` are
 * stored (`private` only on routes declared private with `user`); streamed
 * responses (res.write) are not. Answers carry `ETag` and `X-Cache: HIT|MISS|STALE`,
 * and a matching `If-None-Match` gets 304. Cache failures never fail the request.
 *
 * Stale-if-error: a stored response past its TTL but within its grace period is
 * not served as a hit; the handler runs (`MISS`) and its 2xx answer replaces it.
 * If the handler answers 5xx instead (itself, or through Express's error handler
 * after `next(error)`), the stale response is replayed with `X-Cache: STALE`.
 * The stale copy comes from the same key, so a private route only ever replays
 * the same user's response.
 */
export function responseCache(cache: Cache, options: ResponseCacheOptions = {}): Handler {
  return (req, res, next) => {
    if (req.method !== 'GET') return next();
    let scope = 'public';
    if (options.user) {
      const user = options.user(req);
      if (user === undefined || user === '') return next();
      scope = `user:${user}`;
    }
    const key = responseKey(req.originalUrl ?? req.url ?? '/', scope);
    cache
      .getWithState<CachedResponse>(key)
      .then((found) => {
        const cached = found && isCachedResponse(found.value) ? found : undefined;
        if (cached && !cached.stale) return replay(req, res, cached.value, 'HIT', res.end.bind(res));
        res.setHeader('X-Cache', 'MISS');
        capture(res, {
          privateRoute: options.user !== undefined,
          stale: cached?.value,
          store: (response) => {
            void cache
              .set(key, response, {
                ttl: options.ttl,
                ttlSeconds: options.ttlSeconds,
                graceSeconds: options.graceSeconds,
                tags: options.tags?.(req),
              })
              .catch(() => undefined);
          },
          replayStale: (stale, end) => replay(req, res, stale, 'STALE', end),
        });
        next();
      })
      .catch(next);
  };
}

/** A stored value of the expected shape (anything else under the key is treated as absent). */
function isCachedResponse(value: unknown): value is CachedResponse {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CachedResponse).body === 'string' &&
    typeof (value as CachedResponse).status === 'number'
  );
}

/** `http:<sha256>` of scope, path and sorted query: bounded length, and no user id in the key text. */
export function responseKey(url: string, scope: string): string {
  const parsed = new URL(url, 'http://localhost');
  const params = [...parsed.searchParams.entries()].sort(([a, x], [b, y]) =>
    a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1,
  );
  const query = new URLSearchParams(params).toString();
  const text = `${scope}\n${parsed.pathname}?${query}`;
  return `http:${createHash('sha256').update(text).digest('hex')}`;
}

type End = (body?: Buffer) => unknown;

/** Answers a stored response; `end` is the unwrapped res.end when replaying from inside capture(). */
function replay(
  req: IncomingMessage,
  res: ServerResponse,
  cached: CachedResponse,
  label: 'HIT' | 'STALE',
  end: End,
): void {
  for (const [name, value] of Object.entries(cached.headers)) res.setHeader(name, value);
  res.setHeader('ETag', cached.etag);
  res.setHeader('X-Cache', label);
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === cached.etag || tag.trim() === '*')) {
    res.statusCode = 304;
    end();
    return;
  }
  res.statusCode = cached.status;
  const body = Buffer.from(cached.body, 'base64');
  res.setHeader('Content-Length', body.length);
  end(body);
}

interface CaptureOptions {
  privateRoute: boolean;
  /** Called with a response that may be cached. */
  store: (response: CachedResponse) => void;
  /** The stale stored response for this key, replayed instead of a 5xx answer. */
  stale: CachedResponse | undefined;
  replayStale: (stale: CachedResponse, end: End) => void;
}

/** Wraps res.write/res.end to see the body: stores a cacheable answer, or swaps a 5xx for the stale response. */
function capture(res: ServerResponse, { privateRoute, store, stale, replayStale }: CaptureOptions): void {
  const originalWrite = res.write.bind(res);
  const originalEnd = res.end.bind(res);
  let streamed = false;
  res.write = ((...args: Parameters<ServerResponse['write']>) => {
    streamed = true;
    return originalWrite(...args);
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    const [chunk, encoding] = args;
    if (stale && res.statusCode >= 500 && !streamed && !res.headersSent) {
      // Nothing of the failed answer has gone out: drop its headers (Set-Cookie included),
      // and its status text (Express's error handler sets one), then replay.
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      res.statusMessage = '';
      replayStale(stale, (body) => (body ? originalEnd(body) : originalEnd()));
      return res;
    }
    if (!streamed && cacheable(res, privateRoute)) {
      const body = toBuffer(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : undefined);
      if (body) {
        let etag = res.getHeader('ETag');
        if (typeof etag !== 'string') {
          etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
          if (!res.headersSent) res.setHeader('ETag', etag);
        }
        const headers: Record<string, string> = {};
        for (const name of KEPT_HEADERS) {
          const value = res.getHeader(name);
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
        }
        store({ status: res.statusCode, headers, etag, body: body.toString('base64') });
      }
    }
    return (originalEnd as (...a: unknown[]) => ServerResponse)(...args);
  }) as ServerResponse['end'];
}

function cacheable(res: ServerResponse, privateRoute: boolean): boolean {
  if (res.statusCode < 200 || res.statusCode >= 300) return false;
  if (res.getHeader('Set-Cookie') !== undefined) return false;
  const control = String(res.getHeader('Cache-Control') ?? '').toLowerCase();
  if (control.includes('no-store')) return false;
  if (control.includes('private') && !privateRoute) return false;
  return true;
}

function toBuffer(chunk: unknown, encoding: BufferEncoding | undefined): Buffer | undefined {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return Buffer.alloc(0);
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding ?? 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return undefined;
}
