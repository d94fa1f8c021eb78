import { once } from 'node:events';
import { keyspace } from '@rnh/redis-client';
import { uniquePrefix } from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  AccessTokenRevocations,
  RefreshTokenReuseError,
  RefreshTokens,
  SessionStoreUnavailableError,
  type AccessTokenStamp,
} from '../src/index.js';
import {
  commandCalls,
  connectionsFor,
  itOnStandalone,
  memoryLogger,
  metricValue,
  useRedis,
} from './helpers.js';

const testRedis = useRedis();

/**
 * Two api instances as the package sees them: each its own connections (commands and
 * subscriber) and its own in-process copies, on one Redis and one keyspace.
 */
async function twoInstances(
  options: { operationTimeoutMs?: number; l1?: { ttlSeconds?: number; graceSeconds?: number } } = {},
) {
  const log = memoryLogger();
  const keys = keyspace(uniquePrefix('access'), 'access-revoked');
  const instance = async () => {
    const connections = connectionsFor(testRedis.target, log.logger);
    const registry = new Registry();
    const subscriber = connections.shared('subscriber');
    const revocations = new AccessTokenRevocations(
      {
        redis: connections.shared('commands'),
        keys,
        logger: log.logger,
        registry,
        subscriber,
      },
      { tokenTtlSeconds: 900, operationTimeoutMs: options.operationTimeoutMs, l1: options.l1 },
    );
    // Connected before the clock of any short operation timeout starts (a busy machine connects slowly).
    await connections.connect(30_000);
    await revocations.start();
    testRedis.cleanup.push(async () => {
      await revocations.close();
      await connections.close();
    });
    /** Resolves once this instance's subscriber got the next revocation message (after its own handler ran). */
    const nextMessage = () => once(subscriber, 'message');
    return { revocations, registry, nextMessage, connections };
  };
  return { a: await instance(), b: await instance() };
}

/** MGETs run so far, as the servers count them (every master of a Cluster). */
async function mgetCalls(): Promise<number> {
  return (await commandCalls(testRedis)).get('mget') ?? 0;
}

describe('AccessTokenRevocations', () => {
  it('revoking a user on one instance makes their older tokens fail on another at once; newer tokens and other users work', async () => {
    const { a, b } = await twoInstances();
    const old: AccessTokenStamp = {
      userId: 'u-1',
      generation: await a.revocations.generation('u-1'),
      familyId: 'fam-1',
    };
    const other: AccessTokenStamp = {
      userId: 'u-2',
      generation: await a.revocations.generation('u-2'),
      familyId: 'fam-2',
    };
    expect(await b.revocations.check(old)).toBe('active');
    expect(await b.revocations.check(other)).toBe('active');

    const delivered = b.nextMessage();
    await a.revocations.revokeUser('u-1');
    await delivered;
    expect(await b.revocations.check(old)).toBe('revoked_user');
    expect(await a.revocations.check(old)).toBe('revoked_user');
    expect(await b.revocations.check(other)).toBe('active');

    const fresh: AccessTokenStamp = {
      userId: 'u-1',
      generation: await b.revocations.generation('u-1'),
      familyId: 'fam-1',
    };
    expect(fresh.generation).toBeGreaterThan(old.generation);
    expect(await b.revocations.check(fresh)).toBe('active');
    expect(
      await metricValue(b.registry, 'access_token_checks_total', { layer: 'redis', result: 'revoked_user' }),
    ).toBe(1);
    expect(await metricValue(a.registry, 'access_token_revocations_total', { scope: 'user' })).toBe(1);
  });

  it('revoking a family fails only the tokens issued with it', async () => {
    const { a, b } = await twoInstances();
    const generation = await a.revocations.generation('u-3');
    const phone: AccessTokenStamp = { userId: 'u-3', generation, familyId: 'phone' };
    const laptop: AccessTokenStamp = { userId: 'u-3', generation, familyId: 'laptop' };
    expect(await b.revocations.check(phone)).toBe('active');

    const delivered = b.nextMessage();
    await a.revocations.revokeFamily('u-3', 'phone');
    await delivered;
    expect(await b.revocations.check(phone)).toBe('revoked_family');
    expect(await b.revocations.check(laptop)).toBe('active');
  });

  it('costs one MGET for the first check of a user and family, none while the copy is fresh', async () => {
    const { a } = await twoInstances();
    const stamp: AccessTokenStamp = { userId: 'u-4', generation: 0, familyId: 'fam-4' };
    const before = await mgetCalls();
    for (let i = 0; i < 5; i += 1) expect(await a.revocations.check(stamp)).toBe('active');
    expect((await mgetCalls()) - before).toBe(1);
    expect(
      await metricValue(a.registry, 'access_token_checks_total', { layer: 'l1', result: 'active' }),
    ).toBe(4);
  });

  itOnStandalone(
    'fails closed: Redis not answering and no fresh copy is SessionStoreUnavailableError, never "active"',
    async () => {
      const { a } = await twoInstances({ operationTimeoutMs: 1000 });
      const known: AccessTokenStamp = { userId: 'u-5', generation: 0, familyId: 'fam-5' };
      expect(await a.revocations.check(known)).toBe('active');
      testRedis.server.freeze();
      try {
        await expect(
          a.revocations.check({ userId: 'u-6', generation: 0, familyId: 'fam-6' }),
        ).rejects.toBeInstanceOf(SessionStoreUnavailableError);
        // A copy read moments ago still answers: the subscriber is connected, so no revocation was missed.
        expect(await a.revocations.check(known)).toBe('active');
        await expect(a.revocations.revokeUser('u-5')).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      } finally {
        testRedis.server.thaw();
      }
    },
  );

  it('refresh families wired to it: reuse, sign-out and revoke-all fail the access tokens they cover', async () => {
    const { a, b } = await twoInstances();
    const log = memoryLogger();
    const refresh = new RefreshTokens(
      {
        redis: a.connections.shared('commands'),
        keys: a.connections.keys.child('refresh'),
        logger: log.logger,
        accessTokens: a.revocations,
      },
      { graceMs: 0 },
    );
    const stampOf = async (familyId: string): Promise<AccessTokenStamp> => ({
      userId: 'u-7',
      generation: await a.revocations.generation('u-7'),
      familyId,
    });

    // Reuse of a rotated-away token revokes the family and its access tokens.
    const stolen = await refresh.issue('u-7');
    const stolenAccess = await stampOf(stolen.familyId);
    await refresh.rotate(stolen.token);
    expect(await b.revocations.check(stolenAccess)).toBe('active');
    let delivered = b.nextMessage();
    await expect(refresh.rotate(stolen.token)).rejects.toBeInstanceOf(RefreshTokenReuseError);
    await delivered;
    expect(await b.revocations.check(stolenAccess)).toBe('revoked_family');

    // A client signing out with its refresh token.
    const client = await refresh.issue('u-7');
    const clientAccess = await stampOf(client.familyId);
    expect(await b.revocations.check(clientAccess)).toBe('active');
    delivered = b.nextMessage();
    expect(await refresh.revoke(client.token)).toBe(true);
    await delivered;
    expect(await b.revocations.check(clientAccess)).toBe('revoked_family');
    expect(await refresh.revoke(client.token)).toBe(false);
    expect(await refresh.revoke('not-a-token')).toBe(false);

    // Everyone else signed out, one client kept.
    const kept = await refresh.issue('u-7');
    const dropped = await refresh.issue('u-7');
    const keptAccess = await stampOf(kept.familyId);
    const droppedAccess = await stampOf(dropped.familyId);
    delivered = b.nextMessage();
    expect(await refresh.revokeAllForUser('u-7', { keepFamilyId: kept.familyId })).toBe(1);
    await delivered;
    expect(await b.revocations.check(droppedAccess)).toBe('revoked_family');
    expect(await b.revocations.check(keptAccess)).toBe('active');

    // A password change: every family and every access token of the user.
    delivered = b.nextMessage();
    expect(await refresh.revokeAllForUser('u-7')).toBe(1);
    await delivered;
    expect(await b.revocations.check(keptAccess)).toBe('revoked_user');
    await expect(refresh.rotate(kept.token)).rejects.toThrow(/token rejected/);
  });

  itOnStandalone(
    'Redis unreachable: a copy younger than l1.ttlSeconds still answers, anything else fails closed; copies go once the subscriber is back',
    async () => {
      const { a } = await twoInstances({ operationTimeoutMs: 1000 });
      const seen: AccessTokenStamp = { userId: 'u-8', generation: 0, familyId: 'fam-8' };
      expect(await a.revocations.check(seen)).toBe('active');
      await testRedis.server.stop();
      try {
        expect(await a.revocations.check(seen)).toBe('active');
        await expect(
          a.revocations.check({ userId: 'u-9', generation: 0, familyId: 'fam-9' }),
        ).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      } finally {
        await testRedis.server.restart();
      }
      const subscriber = a.connections.shared('subscriber');
      if (subscriber.status !== 'ready') await once(subscriber, 'ready');
      const before = await mgetCalls();
      expect(await a.revocations.check(seen)).toBe('active');
      expect((await mgetCalls()) - before).toBe(1);
    },
  );

  itOnStandalone(
    'l1.graceSeconds: while Redis is unreachable, copies past their freshness still answer (revoked ones too); unseen tokens fail closed',
    async () => {
      const ttlSeconds = 0.2;
      const { a } = await twoInstances({ operationTimeoutMs: 1000, l1: { ttlSeconds, graceSeconds: 600 } });
      const { a: strict } = await twoInstances({ operationTimeoutMs: 1000, l1: { ttlSeconds } });
      const seen: AccessTokenStamp = { userId: 'u-10', generation: 0, familyId: 'fam-10' };
      const revoked: AccessTokenStamp = { userId: 'u-11', generation: 0, familyId: 'fam-11' };
      for (const instance of [a, strict]) {
        // The revocation's own message drops copies too: let it arrive before the copies are made.
        const delivered = instance.nextMessage();
        await instance.revocations.revokeUser('u-11');
        await delivered;
        expect(await instance.revocations.check(seen)).toBe('active');
        expect(await instance.revocations.check(revoked)).toBe('revoked_user');
      }
      await testRedis.server.stop();
      try {
        // Past the copies' freshness: only the instance with a grace period still answers.
        await new Promise((resolve) => setTimeout(resolve, ttlSeconds * 1000 + 100));
        expect(await a.revocations.check(seen)).toBe('active');
        expect(await a.revocations.check(revoked)).toBe('revoked_user');
        expect(
          await metricValue(a.registry, 'access_token_checks_total', { layer: 'l1_grace', result: 'active' }),
        ).toBe(1);
        await expect(
          a.revocations.check({ userId: 'u-12', generation: 0, familyId: 'fam-12' }),
        ).rejects.toBeInstanceOf(SessionStoreUnavailableError);
        await expect(strict.revocations.check(seen)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      } finally {
        await testRedis.server.restart();
      }
      // Redis back: a copy in its grace period is never used while Redis answers.
      const commands = a.connections.shared('commands');
      if (commands.status !== 'ready') await once(commands, 'ready');
      const before = await mgetCalls();
      expect(await a.revocations.check(seen)).toBe('active');
      expect((await mgetCalls()) - before).toBe(1);
    },
  );
});
