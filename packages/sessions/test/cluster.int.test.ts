import { createHash } from 'node:crypto';
import { testConnections } from '@rnh/test-connections';
import { startRedisCluster, type RedisClusterHandle } from '@rnh/test-utils';
import type { SessionData } from 'express-session';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessTokenRevocations,
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
let admins: Redis[];

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  admins = cluster.admins;
});
afterAll(() => cluster?.destroy());

const data = (extra: Record<string, unknown> = {}) =>
  ({ cookie: { originalMaxAge: 60_000, maxAge: 60_000 }, ...extra }) as unknown as SessionData;

describe('on Redis Cluster (3 masters)', () => {
  it('store, index, one-time and refresh tokens work across slots', async () => {
    const { logger } = memoryLogger();
    const connections = testConnections(cluster);
    try {
      await connections.connect();
      const redis = connections.shared('commands') as Cluster;
      const sessionKeys = connections.keys.child('sess');
      const index = new SessionIndex(
        { redis, keys: connections.keys.child('user-sessions'), logger },
        { sessionKeys },
      );
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
      const tokens = new OneTimeTokens(
        { redis, keys: connections.keys.child('tokens'), logger },
        { ttlSeconds: { password_reset: 60, email_verification: 60 } },
      );
      const reset = await tokens.issue('password_reset', 'user-1');
      await expect(tokens.consume('email_verification', reset.token)).rejects.toMatchObject({
        reason: 'wrong_purpose',
      });
      expect(await tokens.consume('password_reset', reset.token)).toMatchObject({ subject: 'user-1' });
      await tokens.issue('password_reset', 'user-1');
      expect(await tokens.revokeAllFor('password_reset', 'user-1')).toBe(1);

      // Refresh tokens.
      const refresh = new RefreshTokens(
        { redis, keys: connections.keys.child('refresh'), logger },
        { graceMs: 0 },
      );
      const first = await refresh.issue('user-1');
      const second = await refresh.rotate(first.token);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await expect(refresh.rotate(first.token)).rejects.toBeInstanceOf(RefreshTokenReuseError);
      await expect(refresh.rotate(second.token)).rejects.toBeInstanceOf(TokenRejectedError);
      await refresh.issue('user-1');
      expect(await refresh.revokeAllForUser('user-1')).toBe(1);

      // Access-token revocations: a check is one MGET on the user's slot, whichever master holds
      // it; revocations publish from their script, and the cluster carries it to the subscriber.
      const revocations = new AccessTokenRevocations(
        {
          redis,
          keys: connections.keys.child('access-revoked'),
          logger,
          subscriber: connections.shared('subscriber'),
        },
        { tokenTtlSeconds: 60 },
      );
      await revocations.start();
      try {
        for (const userId of Array.from({ length: 6 }, (_, i) => `user-${i}`)) {
          const generation = await revocations.generation(userId);
          const phone = { userId, generation, familyId: 'phone' };
          const laptop = { userId, generation, familyId: 'laptop' };
          expect(await revocations.check(phone)).toBe('active');
          await revocations.revokeFamily(userId, 'phone');
          expect(await revocations.check(phone)).toBe('revoked_family');
          expect(await revocations.check(laptop)).toBe('active');
          await revocations.revokeUser(userId);
          expect(await revocations.check(laptop)).toBe('revoked_user');
        }
      } finally {
        await revocations.close();
      }
    } finally {
      await connections.close();
    }
  });

  it('prune walks every master, resumes across masters with its cursor, and stays in its keyspace', async () => {
    const { logger } = memoryLogger();
    const connections = testConnections(cluster);
    try {
      await connections.connect();
      const redis = connections.shared('commands') as Cluster;
      const sessionKeys = connections.keys.child('sess');
      const indexKeys = connections.keys.child('user-sessions');
      const index = new SessionIndex({ redis, keys: indexKeys, logger }, { sessionKeys });
      const store = new RedisSessionStore({ redis, keys: sessionKeys, logger, index });

      // 30 users on every master, each with a live and a dead session.
      const users = Array.from({ length: 30 }, (_, i) => `prune-user-${i}`);
      await Promise.all(
        users.flatMap((user) => [
          store.set(`${user}-live`, data({ userId: user })),
          store.set(`${user}-dead`, data({ userId: user })),
        ]),
      );
      await Promise.all(users.map((user) => redis.del(sessionKeys.key(`{${user}-dead}`))));
      const onMaster = await Promise.all(
        admins.map(
          async (admin) => (await admin.scan('0', 'MATCH', indexKeys.pattern('{*}'), 'COUNT', 1000))[1],
        ),
      );
      expect(onMaster.filter((keys) => keys.length > 0)).toHaveLength(3);
      const lookAlike = connections.keys.child('user-sessions-old').key('{prune-user-1}');
      await redis.hset(lookAlike, 'prune-user-1-dead', '{"createdAt":1,"lastSeenAt":1}');

      // Small runs: the cursor carries the pass from one master to the next.
      let cursor: string | undefined;
      let runs = 0;
      let scanned = 0;
      let pruned = 0;
      do {
        const result = await index.prune({ maxKeys: 4, batchSize: 4, ...(cursor ? { cursor } : {}) });
        expect(result.scannedKeys).toBeLessThan(30);
        scanned += result.scannedKeys;
        pruned += result.prunedEntries;
        cursor = result.cursor ?? undefined;
        runs += 1;
      } while (cursor && runs < 100);
      expect(cursor).toBeUndefined();
      expect(runs).toBeGreaterThan(3);
      expect(scanned).toBeGreaterThanOrEqual(30);
      expect(pruned).toBe(30);
      for (const user of users) {
        expect((await index.list(user)).map((entry) => entry.sessionId)).toEqual([`${user}-live`]);
      }
      expect(await redis.hexists(lookAlike, 'prune-user-1-dead')).toBe(1);

      // All gone: every index key disappears.
      await Promise.all(users.map((user) => redis.del(sessionKeys.key(`{${user}-live}`))));
      expect(await index.prune()).toMatchObject({
        scannedKeys: 30,
        prunedEntries: 30,
        removedKeys: 30,
        cursor: null,
      });

      // Token subject sets and refresh user sets on several slots.
      const tokenKeys = connections.keys.child('tokens');
      const tokens = new OneTimeTokens({ redis, keys: tokenKeys, logger }, { ttlSeconds: { invite: 60 } });
      const invites = await Promise.all(users.map((user) => tokens.issue('invite', user)));
      await Promise.all(invites.slice(0, 10).map(({ token }) => tokens.consume('invite', token)));
      // Consumed tokens' hashes already left their sets; drop the token keys of ten more behind their backs.
      await Promise.all(
        invites
          .slice(10, 20)
          .map(({ token }) =>
            redis.del(tokenKeys.key('t', createHash('sha256').update(`invite:${token}`).digest('hex'))),
          ),
      );
      expect(await tokens.prune({ batchSize: 7 })).toMatchObject({
        prunedEntries: 10,
        removedKeys: 10,
        cursor: null,
      });
      const refreshKeys = connections.keys.child('refresh');
      const refresh = new RefreshTokens({ redis, keys: refreshKeys, logger });
      const families = await Promise.all(users.map((user) => refresh.issue(user)));
      await Promise.all(
        families.slice(0, 15).map(({ familyId }) => redis.del(refreshKeys.key(`{${familyId}}`))),
      );
      expect(await refresh.prune()).toMatchObject({
        scannedKeys: 30,
        prunedEntries: 15,
        removedKeys: 15,
        cursor: null,
      });
    } finally {
      await connections.close();
    }
  });

  it('newest-only tokens: of concurrent issues for one subject exactly one works', async () => {
    const { logger } = memoryLogger();
    const connections = testConnections(cluster);
    try {
      await connections.connect();
      const tokens = new OneTimeTokens(
        { redis: connections.shared('commands'), keys: connections.keys.child('tokens'), logger },
        { ttlSeconds: { password_reset: 60 }, newestOnly: ['password_reset'] },
      );
      const issued = await Promise.all(
        Array.from({ length: 10 }, () => tokens.issue('password_reset', 'user-1')),
      );
      const redeemed = await Promise.allSettled(
        issued.map(({ token }) => tokens.consume('password_reset', token)),
      );
      expect(redeemed.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    } finally {
      await connections.close();
    }
  });
});
