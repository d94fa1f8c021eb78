// A write's invalidation must not be lost when Redis is down at that moment: it is retried until
// Redis answers, so the stale entry does not outlive the outage by its whole TTL.
import { Cache } from '@rnh/cache';
import type { RedisConnections } from '@rnh/redis-client';
import { testConnections } from '@rnh/test-connections';
import { memoryLogger, useRedisServer, waitFor } from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheInvalidator } from '../../src/cache/invalidator.js';

const redis = useRedisServer();

describe('CacheInvalidator', () => {
  let connections: RedisConnections | undefined;
  afterEach(() => connections?.close(1000));

  const setup = () => {
    const log = memoryLogger();
    const logger = log.logger;
    // While the server is stopped, commands fail at once instead of waiting for a reconnect.
    connections = testConnections(redis.server, { maxRetriesPerRequest: 0, connectTimeoutMs: 500, logger });
    const cache = new Cache(
      {
        redis: connections.shared('commands'),
        keys: connections.keys.child('cache'),
        logger,
        registry: new Registry(),
      },
      { operationTimeoutMs: 200, breaker: { cooldownMs: 200 } },
    );
    return { cache, log, invalidator: new CacheInvalidator({ cache, logger, retryMs: 100 }) };
  };

  it('invalidates at once when Redis answers', async () => {
    const { cache, invalidator } = setup();
    await cache.set('profile', 'old', { ttlSeconds: 60, tags: ['user:1'] });
    await invalidator.invalidate('user:1');
    expect(invalidator.pendingCount).toBe(0);
    expect(await cache.get('profile')).toBeUndefined();
  });

  it('keeps a failed invalidation and retries it until Redis is back; never throws at the writer', async () => {
    const { cache, invalidator, log } = setup();
    await cache.set('profile', 'old', { ttlSeconds: 60, tags: ['user:2'] });
    await redis.server.stop();
    try {
      await expect(invalidator.invalidate('user:2')).resolves.toBeUndefined();
      expect(invalidator.pendingCount).toBe(1);
      expect(log.lines().some((line) => String(line.msg).includes('cache invalidation failed'))).toBe(true);
    } finally {
      await redis.server.restart();
    }
    await waitFor(() => invalidator.pendingCount === 0, {
      timeoutMs: 10_000,
      what: 'the retried invalidation',
    });
    expect(await cache.get('profile')).toBeUndefined();
    await invalidator.close();
  });
});
