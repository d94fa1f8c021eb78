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
 * responses (res.write) are not. Answers carry `ETag` and `X-Cache: HIT|MISS`,
 * and a matching `If-None-Match` gets 304. Cache failures never fail the request.
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
      .get<CachedResponse>(key)
      .then((hit) => {
        if (hit && typeof hit === 'object' && typeof hit.body === 'string') return replay(req, res, hit);
        res.setHeader('X-Cache', 'MISS');
        capture(
          res,
          (response) => {
            void cache
              .set(key, response, {
                ttl: options.ttl,
                ttlSeconds: options.ttlSeconds,
                tags: options.tags?.(req),
              })
              .catch(() => undefined);
          },
          options.user !== undefined,
        );
        next();
      })
      .catch(next);
  };
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

function replay(req: IncomingMessage, res: ServerResponse, hit: CachedResponse): void {
  for (const [name, value] of Object.entries(hit.headers)) res.setHeader(name, value);
  res.setHeader('ETag', hit.etag);
  res.setHeader('X-Cache', 'HIT');
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === hit.etag || tag.trim() === '*')) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = hit.status;
  const body = Buffer.from(hit.body, 'base64');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

/** Wraps res.write/res.end to see the body; calls `store` when the response may be cached. */
function capture(
  res: ServerResponse,
  store: (response: CachedResponse) => void,
  privateRoute: boolean,
): void {
  const originalWrite = res.write.bind(res);
  const originalEnd = res.end.bind(res);
  let streamed = false;
  res.write = ((...args: Parameters<ServerResponse['write']>) => {
    streamed = true;
    return originalWrite(...args);
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    const [chunk, encoding] = args;
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
