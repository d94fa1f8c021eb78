import { defaultRedisOptions, RedisConnections } from '@rnh/redis-client';
import {
  startRedisCluster,
  uniquePrefix,
  type RedisClusterHandle,
  type RedisServerHandle,
} from '@rnh/test-utils';
import type { SessionData } from 'express-session';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OneTimeTokens,
  RedisSessionStore,
  RefreshTokenReuseError,
  RefreshTokens,
  SessionIndex,
  TokenRejectedError,
} from '../src/index.js';
import { memoryLogger } from './helpers.js';

// Three real masters sharing the 16384 slots: every script must keep its keys in one slot
// (CROSSSLOT otherwise) and bulk operations must SCAN every master.
let cluster: RedisClusterHandle;
let servers: RedisServerHandle[];
let admins: Redis[];

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  servers = cluster.servers;
  admins = cluster.admins;
});
afterAll(() => cluster?.destroy());

const data = (extra: Record<string, unknown> = {}) =>
  ({ cookie: { originalMaxAge: 60_000, maxAge: 60_000 }, ...extra }) as unknown as SessionData;

describe('on Redis Cluster (3 masters)', () => {
  it('store, index, one-time and refresh tokens work across slots', async () => {
    const { logger } = memoryLogger();
    const connections = new RedisConnections({
      options: defaultRedisOptions({
        mode: 'cluster',
        clusterNodes: servers.map((server) => ({ host: server.host, port: server.port })),
        keyPrefix: uniquePrefix('sess'),
        retryDelayMs: 20,
        maxRetryDelayMs: 200,
        connectTimeoutMs: 5000,
      }),
      logger,
    });
    try {
      await connections.connect();
      const redis = connections.shared('commands') as Cluster;
      const sessionKeys = connections.keys.child('sess');
      const index = new SessionIndex({
        redis,
        keys: connections.keys.child('user-sessions'),
        sessionKeys,
        logger,
      });
      const store = new RedisSessionStore({ redis, keys: sessionKeys, logger, index });

      // Sessions land on every master; bulk operations see them all.
      const sids = Array.from({ length: 30 }, (_, i) => `sid-${i}`);
      // Concurrently: with auto-pipelining, script calls for many slots leave in one tick (redis/ioredis#2109).
      await Promise.all(
        sids.map((sid) =>
          store.set(sid, data({ userId: `user-${sid.slice(-1)}`, device: { userAgent: sid } })),
        ),
      );
      const perMaster = await Promise.all(admins.map((admin) => admin.dbsize()));
      expect(perMaster.filter((count) => count > 0)).toHaveLength(3);
      expect(await store.length()).toBe(30);
      expect((await store.ids()).sort()).toEqual([...sids].sort());
      expect(await store.all()).toHaveLength(30);
      await Promise.all(admins.map((admin) => admin.script('FLUSH'))); // NOSCRIPT -> EVAL fallback on the cluster path
      await store.touch('sid-1', data());
      expect(await store.get('sid-1')).toMatchObject({ userId: 'user-1' });

      // Racing set after destroy, on the sid's slot.
      await store.destroy('sid-2');
      await store.set('sid-2', data({ userId: 'user-2' }));
      expect(await store.get('sid-2')).toBeNull();

      // The user index on its own slot: per-key operations against the session slots.
      expect((await index.list('user-1')).map((entry) => entry.sessionId).sort()).toEqual([
        'sid-1',
        'sid-11',
        'sid-21',
      ]);
      expect(await index.revoke('user-1', 'sid-21')).toBe(true);
      expect(await index.revokeOthers('user-1', 'sid-1')).toBe(1);
      expect(await store.get('sid-11')).toBeNull();
      expect(await index.revokeAll('user-3')).toBe(3);
      expect(await store.get('sid-13')).toBeNull();

      const outside = connections.keys.key('not-a-session');
      await redis.set(outside, 'stays');
      await store.clear();
      expect(await store.length()).toBe(0);
      expect(await redis.get(outside)).toBe('stays');

      // One-time tokens.
      const tokens = new OneTimeTokens({
        redis,
        keys: connections.keys.child('tokens'),
        ttlSeconds: { password_reset: 60, email_verification: 60 },
        logger,
      });
      const reset = await tokens.issue('password_reset', 'user-1');
      await expect(tokens.consume('email_verification', reset.token)).rejects.toMatchObject({
        reason: 'wrong_purpose',
      });
      expect(await tokens.consume('password_reset', reset.token)).toMatchObject({ subject: 'user-1' });
      await tokens.issue('password_reset', 'user-1');
      expect(await tokens.revokeAllFor('password_reset', 'user-1')).toBe(1);

      // Refresh tokens.
      const refresh = new RefreshTokens({
        redis,
        keys: connections.keys.child('refresh'),
        graceMs: 0,
        logger,
      });
      const first = await refresh.issue('user-1');
      const second = await refresh.rotate(first.token);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await expect(refresh.rotate(first.token)).rejects.toBeInstanceOf(RefreshTokenReuseError);
      await expect(refresh.rotate(second.token)).rejects.toBeInstanceOf(TokenRejectedError);
      await refresh.issue('user-1');
      expect(await refresh.revokeAllForUser('user-1')).toBe(1);
    } finally {
      await connections.close();
    }
  });
});
