// The api's cache (L1 + Redis, with the invalidation bus when the L1 is on; writes invalidate
// through its invalidateTags, retried while Redis is down), and the response cache of GET /me.
import type { IncomingMessage } from 'node:http';
import { Cache, responseCache } from '@rnh/cache';
import type { RedisConnections } from '@rnh/redis-client';
import type { Logger } from '@rnh/telemetry';
import type { Request, RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { AccessTokens } from '../auth/access-tokens.js';
import { identify } from '../auth/authenticate.js';
import { cacheNamespaces } from '../cache/namespaces.js';
import { cacheTags } from '../cache/tags.js';
import type { ApiConfig } from '../config.js';

export function buildApiCache(deps: {
  config: ApiConfig;
  redis: RedisConnections;
  registry: Registry;
  logger: Logger;
}): Cache {
  const { config, redis, logger } = deps;
  return new Cache(
    {
      redis: redis.shared('commands'),
      keys: redis.keys.child('cache'),
      logger,
      registry: deps.registry,
      // The L1 invalidation bus: without it another instance's writes would reach this L1 only by TTL.
      subscriber: config.cache.l1 ? redis.shared('subscriber') : undefined,
    },
    {
      name: 'api',
      ttlPresets: config.cache.ttlPresets,
      graceSeconds: config.cache.graceSeconds,
      jitter: config.cache.jitter,
      operationTimeoutMs: config.cache.operationTimeoutMs,
      l1: config.cache.l1,
    },
  );
}

/**
 * GET /me cached whole, per caller, tagged with their profile's tag (invalidated with it). It is
 * `Cache-Control: private, no-cache` rather than the api's `no-store`: only the user's own browser
 * may keep it, revalidating by ETag each time, and this cache stores only what is not no-store.
 */
export function profileResponseCache(cache: Cache, accessTokens: AccessTokens): RequestHandler {
  // responseCache is plain-Node typed; mounted in Express, the request it gets is Express's.
  const callerId = (req: IncomingMessage) => identify(req as Request, accessTokens)?.userId;
  const cached = responseCache(cache.namespace(cacheNamespaces.responses), {
    ttl: 'medium',
    user: (req) => callerId(req),
    tags: (req) => [cacheTags.user(callerId(req)!)],
  }) as RequestHandler;
  return (req, res, next) => {
    res.setHeader('Cache-Control', 'private, no-cache');
    return cached(req, res, next);
  };
}
