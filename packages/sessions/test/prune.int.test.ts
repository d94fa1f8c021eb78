import { createHash } from 'node:crypto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { waitFor } from '@rnh/test-utils';
import type { SessionData } from 'express-session';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  createSessionMetrics,
  OneTimeTokens,
  RedisSessionStore,
  RefreshTokens,
  SessionIndex,
  SessionsArgumentError,
  type PruneResult,
} from '../src/index.js';
import { connectionsFor, deleteEach, memoryLogger, metricValue, recordSpans, useRedis } from './helpers.js';

const spans = recordSpans();
const testRedis = useRedis();

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const data = (userId: string, extra: Record<string, unknown> = {}) =>
  ({
    cookie: { originalMaxAge: 60_000, maxAge: 60_000 },
    userId,
    device: { userAgent: 'UA', createdAt: Date.now() },
    ...extra,
  }) as unknown as SessionData;

function setup() {
  const log = memoryLogger();
  const connections = connectionsFor(testRedis.target, log.logger);
  const redis = connections.shared('commands');
  const registry = new Registry();
  const metrics = createSessionMetrics(registry);
  const sessionKeys = connections.keys.child('sess');
  const indexKeys = connections.keys.child('user-sessions');
  const index = new SessionIndex({ redis, keys: indexKeys, registry, logger: log.logger }, { sessionKeys });
  const store = new RedisSessionStore({ redis, keys: sessionKeys, logger: log.logger, registry, index });
  // A store without the index: its destroy() leaves the tombstone but not the index update,
  // as when the index update after a destroy failed.
  const bareStore = new RedisSessionStore({ redis, keys: sessionKeys, logger: log.logger });
  testRedis.cleanup.push(() => {
    store.close();
    return connections.close();
  });
  return { connections, redis, registry, metrics, sessionKeys, indexKeys, index, store, bareStore, log };
}

/** Runs from `start`, continuing with the returned cursor until the pass is complete. */
async function pruneAll(
  prune: (cursor: string | undefined) => Promise<PruneResult>,
  start: string | undefined,
): Promise<{ runs: PruneResult[]; pruned: number; removed: number }> {
  const runs: PruneResult[] = [];
  let cursor = start;
  do {
    const result = await prune(cursor);
    runs.push(result);
    cursor = result.cursor ?? undefined;
  } while (cursor !== undefined && runs.length < 1000);
  return {
    runs,
    pruned: runs.reduce((sum, run) => sum + run.prunedEntries, 0),
    removed: runs.reduce((sum, run) => sum + run.removedKeys, 0),
  };
}

describe('SessionIndex.prune', () => {
  it('removes entries of deleted, expired and destroyed sessions, keeps live ones, deletes emptied index keys', async () => {
    const { index, store, bareStore, sessionKeys, indexKeys, registry, connections } = setup();
    const admin = testRedis.admin;
    for (const sid of ['a-live', 'a-deleted', 'a-expired', 'a-destroyed'])
      await store.set(sid, data('alice', { device: { userAgent: sid, createdAt: Date.now() } }));
    for (const sid of ['b-1', 'b-2']) await store.set(sid, data('bob'));
    await store.set('c-live', data('carol'));
    await store.set('d-revoked', data('dave'));
    await index.revoke('dave', 'd-revoked'); // a revocation marker on dave's slot, no entries left

    await admin.del(sessionKeys.key('{a-deleted}'));
    await admin.pexpire(sessionKeys.key('{a-expired}'), 1);
    await waitFor(async () => (await admin.exists(sessionKeys.key('{a-expired}'))) === 0, {
      what: 'the session key to expire',
    });
    await bareStore.destroy('a-destroyed'); // a tombstone, the index entry stays behind
    expect(await admin.exists(sessionKeys.key('{a-destroyed}', 'gone'))).toBe(1);
    await deleteEach(admin, [sessionKeys.key('{b-1}'), sessionKeys.key('{b-2}')]);

    // Look-alikes that prune must not touch: another keyspace whose prefix starts the same,
    // another app prefix, and a non-hash key inside the index keyspace.
    const lookAlike = connections.keys.child('user-sessions-old').key('{alice}');
    const otherApp = `other-app:${indexKeys.prefix}{alice}`;
    const notAHash = indexKeys.key('{not-a-hash}');
    await admin.hset(lookAlike, 'a-deleted', '{"createdAt":1,"lastSeenAt":1}');
    await admin.hset(otherApp, 'a-deleted', '{"createdAt":1,"lastSeenAt":1}');
    await admin.set(notAHash, 'x');

    expect(await admin.hlen(indexKeys.key('{alice}'))).toBe(4);
    spans.reset();
    const result = await index.prune();
    expect(result).toEqual({ scannedKeys: 3, prunedEntries: 5, removedKeys: 1, cursor: null });
    // alice: three dead; bob: b-1 and b-2 (his key goes); carol: nothing dead; dave: no entries key.
    expect((await index.list('alice')).map((entry) => entry.sessionId)).toEqual(['a-live']);
    expect((await index.list('carol')).map((entry) => entry.sessionId)).toEqual(['c-live']);
    expect(await admin.exists(indexKeys.key('{bob}'))).toBe(0);
    expect(await admin.exists(indexKeys.key('{dave}', 'revoked'))).toBe(1);
    expect(await store.get('a-live')).toMatchObject({ userId: 'alice' });
    expect(await admin.hexists(lookAlike, 'a-deleted')).toBe(1);
    expect(await admin.hexists(otherApp, 'a-deleted')).toBe(1);
    expect(await admin.get(notAHash)).toBe('x');
    await admin.del(otherApp);

    expect(
      await metricValue(registry, 'session_maintenance_pruned_total', { kind: 'session_index_entry' }),
    ).toBe(5);
    const [span] = spans.getFinishedSpans().filter((finished) => finished.name === 'sessions.prune');
    expect(span?.attributes).toMatchObject({
      'rnh.outcome': 'complete',
      'rnh.prune.scanned_keys': 3,
      'rnh.prune.pruned': 5,
      'rnh.prune.removed_keys': 1,
      'rnh.prune.complete': true,
    });

    // Nothing left to do.
    expect(await index.prune()).toEqual({ scannedKeys: 2, prunedEntries: 0, removedKeys: 0, cursor: null });
  });

  it('an entry rewritten by a save between its liveness check and its removal stays', async () => {
    const { index, store, redis, sessionKeys, indexKeys } = setup();
    await store.set('e-1', data('erin'));
    // An old entry whose session expired...
    await testRedis.admin.hset(indexKeys.key('{erin}'), 'e-1', '{"createdAt":1,"lastSeenAt":1}');
    await testRedis.admin.del(sessionKeys.key('{e-1}'));
    // ...and a slow request that saves it again right after prune found it missing.
    const client = redis as unknown as { exists: (...keys: string[]) => Promise<number> };
    const exists = client.exists.bind(client);
    client.exists = async (...keys: string[]) => {
      const found = await exists(...keys);
      if (keys[0] === sessionKeys.key('{e-1}')) {
        client.exists = exists;
        await store.set('e-1', data('erin'));
      }
      return found;
    };
    const result = await index.prune();
    expect(client.exists).toBe(exists); // the race happened
    expect(result.prunedEntries).toBe(0);
    expect((await index.list('erin')).map((entry) => entry.sessionId)).toEqual(['e-1']);
  });

  it('maxKeys bounds one run; the cursor continues the pass; two runs at once remove each entry once', async () => {
    const { index, store, sessionKeys, indexKeys, registry } = setup();
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    await Promise.all(
      users.flatMap((user) => [store.set(`${user}-dead`, data(user)), store.set(`${user}-live`, data(user))]),
    );
    await deleteEach(
      testRedis.admin,
      users.map((user) => sessionKeys.key(`{${user}-dead}`)),
    );

    const first = await index.prune({ maxKeys: 10, batchSize: 5 });
    expect(first.scannedKeys).toBeGreaterThanOrEqual(10);
    expect(first.scannedKeys).toBeLessThan(30);
    expect(first.prunedEntries).toBeGreaterThan(0);
    expect(first.prunedEntries).toBeLessThan(30);
    expect(first.cursor).toEqual(expect.any(String));
    expect(first.cursor).not.toContain('user'); // names a node, never a key

    const rest = await pruneAll(
      (cursor) => index.prune({ maxKeys: 10, batchSize: 5, cursor }),
      first.cursor ?? undefined,
    );
    expect(rest.runs.length).toBeGreaterThan(1);
    expect(first.prunedEntries + rest.pruned).toBe(30);
    expect(rest.runs.every((run) => run.scannedKeys < 30)).toBe(true);
    for (const user of users) {
      expect(await testRedis.admin.hkeys(indexKeys.key(`{${user}}`))).toEqual([`${user}-live`]);
    }
    expect(first.removedKeys + rest.removed).toBe(0);

    // Two workers at once: every dead entry and emptied key is counted by exactly one of them.
    await deleteEach(
      testRedis.admin,
      users.map((user) => sessionKeys.key(`{${user}-live}`)),
    );
    const both = await Promise.all([index.prune({ batchSize: 3 }), index.prune({ batchSize: 7 })]);
    expect(both[0].prunedEntries + both[1].prunedEntries).toBe(30);
    expect(both[0].removedKeys + both[1].removedKeys).toBe(30);
    expect(
      await metricValue(registry, 'session_maintenance_pruned_total', { kind: 'session_index_entry' }),
    ).toBe(60);
    for (const user of users) expect(await testRedis.admin.exists(indexKeys.key(`{${user}}`))).toBe(0);
  });

  it('an aborted run stops before scanning and returns a cursor to continue; bad options are refused', async () => {
    const { index, store, sessionKeys } = setup();
    await store.set('f-1', data('frank'));
    await testRedis.admin.del(sessionKeys.key('{f-1}'));
    const controller = new AbortController();
    controller.abort();
    spans.reset();
    const aborted = await index.prune({ signal: controller.signal });
    expect(aborted).toMatchObject({ scannedKeys: 0, prunedEntries: 0, removedKeys: 0 });
    expect(aborted.cursor).toEqual(expect.any(String));
    expect(spans.getFinishedSpans().find((span) => span.name === 'sessions.prune')?.attributes).toMatchObject(
      { 'rnh.outcome': 'aborted', 'rnh.prune.complete': false },
    );
    expect(await index.prune({ cursor: aborted.cursor ?? undefined })).toMatchObject({
      prunedEntries: 1,
      cursor: null,
    });

    await expect(index.prune({ batchSize: 0 })).rejects.toBeInstanceOf(SessionsArgumentError);
    await expect(index.prune({ maxKeys: 1.5 })).rejects.toBeInstanceOf(SessionsArgumentError);
    await expect(index.prune({ cursor: 'not a cursor' })).rejects.toBeInstanceOf(SessionsArgumentError);
  });
});

describe('OneTimeTokens.prune', () => {
  it('removes hashes of expired, consumed and revoked tokens from subject sets, keeps live ones, deletes emptied sets', async () => {
    const { connections, redis, registry, log } = setup();
    const keys = connections.keys.child('tokens');
    const tokens = new OneTimeTokens(
      { redis, keys, registry, logger: log.logger },
      { ttlSeconds: { password_reset: 900, email_verification: 900 } },
    );
    const tokenKey = (kind: string, token: string) => keys.key('t', sha256(`${kind}:${token}`));
    const subjectSet = (kind: string, subject: string) => keys.key('s', kind, sha256(subject));
    const admin = testRedis.admin;

    const consumed = await tokens.issue('password_reset', 'user-1');
    const expired = await tokens.issue('password_reset', 'user-1');
    const live = await tokens.issue('password_reset', 'user-1');
    await tokens.consume('password_reset', consumed.token);
    await admin.pexpire(tokenKey('password_reset', expired.token), 1);
    await waitFor(async () => (await admin.exists(tokenKey('password_reset', expired.token))) === 0, {
      what: 'the token to expire',
    });
    // A member left behind when consume's tidying failed.
    await admin.sadd(subjectSet('password_reset', 'user-1'), sha256('a consumed token'));
    const gone = await tokens.issue('email_verification', 'user-2');
    await admin.del(tokenKey('email_verification', gone.token));
    const lookAlike = connections.keys.child('tokens-old').key('s', 'password_reset', sha256('user-1'));
    await admin.sadd(lookAlike, sha256('dead'));

    spans.reset();
    expect(await tokens.prune()).toEqual({ scannedKeys: 2, prunedEntries: 3, removedKeys: 1, cursor: null });
    expect(await admin.smembers(subjectSet('password_reset', 'user-1'))).toEqual([
      sha256(`password_reset:${live.token}`),
    ]);
    expect(await admin.exists(subjectSet('email_verification', 'user-2'))).toBe(0);
    expect(await admin.scard(lookAlike)).toBe(1);
    expect(await admin.pttl(subjectSet('password_reset', 'user-1'))).toBeGreaterThan(0);
    // The live token still works, and revokeAllFor still finds it.
    expect(await tokens.revokeAllFor('password_reset', 'user-1')).toBe(1);
    expect(
      await metricValue(registry, 'session_maintenance_pruned_total', { kind: 'token_subject_member' }),
    ).toBe(3);
    const span = spans.getFinishedSpans().find((finished) => finished.name === 'tokens.prune');
    expect(span?.attributes).toMatchObject({ 'rnh.prune.pruned': 3, 'rnh.outcome': 'complete' });
    expect(await tokens.prune()).toEqual({ scannedKeys: 0, prunedEntries: 0, removedKeys: 0, cursor: null });
    assertNothingSecret(spans.getFinishedSpans(), log.text(), [
      'user-1',
      'user-2',
      consumed.token,
      live.token,
      keys.prefix,
    ]);
  });

  it('maxKeys bounds one run and the cursor finishes the pass', async () => {
    const { connections, redis, log } = setup();
    const keys = connections.keys.child('tokens');
    const tokens = new OneTimeTokens({ redis, keys, logger: log.logger }, { ttlSeconds: { invite: 900 } });
    const issued = await Promise.all(
      Array.from({ length: 25 }, (_, i) => tokens.issue('invite', `team-${i}`)),
    );
    await deleteEach(
      testRedis.admin,
      issued.map(({ token }) => keys.key('t', sha256(`invite:${token}`))),
    );
    const first = await tokens.prune({ maxKeys: 5, batchSize: 5 });
    expect(first.scannedKeys).toBeLessThan(25);
    expect(first.cursor).toEqual(expect.any(String));
    const rest = await pruneAll(
      (cursor) => tokens.prune({ maxKeys: 5, batchSize: 5, cursor }),
      first.cursor ?? undefined,
    );
    expect(first.prunedEntries + rest.pruned).toBe(25);
    expect(first.removedKeys + rest.removed).toBe(25);
  });
});

describe('RefreshTokens.prune', () => {
  it("removes ids of expired and revoked families from the user's set, keeps live ones, deletes emptied sets", async () => {
    const { connections, redis, registry, log } = setup();
    const keys = connections.keys.child('refresh');
    const refresh = new RefreshTokens({ redis, keys, registry, logger: log.logger });
    const admin = testRedis.admin;

    const expired = await refresh.issue('user-1');
    const live = await refresh.issue('user-1');
    const reused = await refresh.issue('user-1');
    await admin.pexpire(keys.key(`{${expired.familyId}}`), 1);
    await waitFor(async () => (await admin.exists(keys.key(`{${expired.familyId}}`))) === 0, {
      what: 'the family to expire',
    });
    // Revoked by reuse detection, but the follow-up SREM was lost.
    await admin.del(keys.key(`{${reused.familyId}}`));
    await admin.sadd(keys.key('user', 'user-1'), 'not-a-family-id');
    const gone = await refresh.issue('user-2');
    await admin.del(keys.key(`{${gone.familyId}}`));
    const lookAlike = connections.keys.child('refresh-old').key('user', 'user-1');
    await admin.sadd(lookAlike, expired.familyId);

    spans.reset();
    expect(await refresh.prune({ batchSize: 2 })).toEqual({
      scannedKeys: 2,
      prunedEntries: 4,
      removedKeys: 1,
      cursor: null,
    });
    expect(await admin.smembers(keys.key('user', 'user-1'))).toEqual([live.familyId]);
    expect(await admin.exists(keys.key('user', 'user-2'))).toBe(0);
    expect(await admin.sismember(lookAlike, expired.familyId)).toBe(1);
    expect((await refresh.rotate(live.token)).userId).toBe('user-1');
    expect(await refresh.revokeAllForUser('user-1')).toBe(1);
    expect(
      await metricValue(registry, 'session_maintenance_pruned_total', { kind: 'refresh_user_family' }),
    ).toBe(4);
    expect(spans.getFinishedSpans().find((span) => span.name === 'refresh.prune')?.attributes).toMatchObject({
      'rnh.prune.pruned': 4,
      'rnh.prune.removed_keys': 1,
    });
    assertNothingSecret(spans.getFinishedSpans(), log.text(), [
      'user-1',
      'user-2',
      live.familyId,
      keys.prefix,
    ]);
  });
});

describe('issue order that prune relies on', () => {
  it('a token hash or family id enters its set only after the token or family key exists', async () => {
    const { connections, redis, log } = setup();
    const tokenKeys = connections.keys.child('tokens');
    const refreshKeys = connections.keys.child('refresh');
    const tokens = new OneTimeTokens(
      { redis, keys: tokenKeys, logger: log.logger },
      { ttlSeconds: { invite: 900 } },
    );
    const refresh = new RefreshTokens({ redis, keys: refreshKeys, logger: log.logger });
    const client = redis as unknown as { sadd: (key: string, ...members: string[]) => Promise<number> };
    const sadd = client.sadd.bind(client);
    const seen: Array<{ member: string; existed: number }> = [];
    client.sadd = async (key: string, ...members: string[]) => {
      for (const member of members) {
        const owner = key.startsWith(tokenKeys.prefix)
          ? tokenKeys.key('t', member)
          : refreshKeys.key(`{${member}}`);
        seen.push({ member, existed: await testRedis.admin.exists(owner) });
      }
      return sadd(key, ...members);
    };
    try {
      await tokens.issue('invite', 'team-1');
      await refresh.issue('user-1');
    } finally {
      client.sadd = sadd;
    }
    expect(seen.map((entry) => entry.existed)).toEqual([1, 1]);
  });
});

function assertNothingSecret(finished: ReadableSpan[], logText: string, secrets: string[]): void {
  const text = JSON.stringify(
    finished.map((span) => ({ name: span.name, attributes: span.attributes, status: span.status })),
  );
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(logText).not.toContain(secret);
  }
}
