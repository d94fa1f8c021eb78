import {
  ChannelSubscription,
  CounterSeries,
  type Keyspace,
  type Logger,
  type RedisClient,
  type RedisScript,
} from '@rnh/redis-client';
import { SessionsArgumentError, SessionStoreUnavailableError } from '../errors.js';
import { runOperation, type OperationContext } from '../internal/operation.js';
import { defineScript, runScript } from '../internal/scripts.js';
import {
  assertTaggableId,
  DEFAULTS,
  isTaggableId,
  nonNegativeMs,
  nonNegativeSeconds,
  positiveSeconds,
} from '../internal/validate.js';
import type { AccessCheckLayer, SessionMetrics } from '../metrics/session-metrics.js';
import type {
  AccessTokenRevocationsDeps,
  AccessTokenRevocationsOptions,
  AccessTokenStamp,
  AccessTokenStatus,
} from '../types.js';
import { DEFAULT_KEY_PREFIXES } from '../defaults.js';
import { resolveDeps } from '../internal/deps.js';

import { LocalStates, type RevocationState } from './local-states.js';
import { BUMP_GENERATION, MARK_FAMILY_REVOKED } from './scripts.js';

/** Kept past the tokens' lifetime, for instances whose clocks run ahead of Redis's. */
const CLOCK_MARGIN_MS = 60_000;
const NO_FAMILY = '';

/**
 * Revocable stateless access tokens. A token carries its user's token generation
 * at issue (and its refresh family); it stays valid while that generation is >=
 * the user's current one and its family is not marked revoked. Keys (a user's
 * share the `{userId}` tag, so one check is one MGET even on a cluster):
 *   <prefix>{<userId>}:gen              the user's generation (Redis ms of the last revokeUser)
 *   <prefix>{<userId>}:family:<family>  set when that family's tokens were revoked
 * Both live as long as a token can, from the revocation on.
 *
 * With a `subscriber`, answers are kept in-process for a few seconds (`l1`), and
 * each revocation is published on `<prefix>invalidate` from the same script that
 * writes it: every process drops its copies of that user on receipt. So a check
 * costs one Redis round trip at most, and none on a fresh copy. While the
 * subscription is down (messages may be lost) checks read Redis; a fresh copy
 * answers only when Redis cannot, and all copies go when the subscription is
 * back. A copy past its freshness still answers for `l1.graceSeconds` while
 * Redis cannot (default 0: off), so API clients keep working through a short
 * outage. Redis not answering and no usable copy: SessionStoreUnavailableError
 * (fail closed). A copy is at most `l1.ttlSeconds` behind Redis while Redis
 * answers; see `l1.graceSeconds` for what the grace period can let through.
 */
export class AccessTokenRevocations {
  private readonly redis: RedisClient;
  private readonly keys: Keyspace;
  private readonly logger: Logger;
  private readonly metrics: SessionMetrics | undefined;
  private readonly op: OperationContext;
  private readonly keepMs: number;
  private readonly channel: string;
  private readonly local: LocalStates | undefined;
  private readonly subscription: ChannelSubscription | undefined;
  private readonly bumpScript: RedisScript;
  private readonly markScript: RedisScript;
  private readonly checks: Record<AccessCheckLayer, Record<AccessTokenStatus, CounterSeries>> | undefined;

  constructor(deps: AccessTokenRevocationsDeps, options: AccessTokenRevocationsOptions) {
    const resolved = resolveDeps(deps, DEFAULT_KEY_PREFIXES.accessTokenRevocations);
    this.redis = resolved.redis;
    this.keys = resolved.keys;
    this.logger = resolved.logger;
    this.metrics = resolved.metrics;
    this.op = {
      logger: resolved.logger,
      tracer: resolved.tracer,
      timeoutMs: nonNegativeMs(options.operationTimeoutMs, DEFAULTS.operationTimeoutMs, 'operationTimeoutMs'),
    };
    // No default: a guess below the tokens' real lifetime would let revoked tokens work again.
    const tokenTtlSeconds = positiveSeconds(options?.tokenTtlSeconds, Number.NaN, 'tokenTtlSeconds');
    this.keepMs = Math.ceil(tokenTtlSeconds * 1000) + CLOCK_MARGIN_MS;
    this.channel = this.keys.key('invalidate');
    if (deps.subscriber && options.l1 !== false) {
      const maxEntries = options.l1?.maxEntries ?? DEFAULTS.accessL1MaxEntries;
      if (!Number.isInteger(maxEntries) || maxEntries < 0)
        throw new SessionsArgumentError('l1.maxEntries must be an integer >= 0');
      const ttlSeconds = positiveSeconds(
        options.l1?.ttlSeconds,
        DEFAULTS.accessL1TtlSeconds,
        'l1.ttlSeconds',
      );
      const graceSeconds = nonNegativeSeconds(options.l1?.graceSeconds, 0, 'l1.graceSeconds');
      const local = new LocalStates(
        maxEntries,
        Math.round(ttlSeconds * 1000),
        Math.round(graceSeconds * 1000),
      );
      this.local = local;
      this.subscription = new ChannelSubscription(deps.subscriber, this.channel, {
        message: (userId) => local.dropUser(userId),
        // Copies read before a drop stay usable for their few seconds while Redis is unreachable;
        // once the subscriber is back, revocations missed meanwhile cannot be told apart: drop all.
        reset: (event) => {
          if (event === 'ready') local.clear();
        },
      });
    }
    this.bumpScript = defineScript(BUMP_GENERATION, deps.scripts);
    this.markScript = defineScript(MARK_FAMILY_REVOKED, deps.scripts);
    this.metrics?.initAccessTokens();
    const counter = this.metrics?.accessTokenChecks;
    const series = (layer: AccessCheckLayer) => ({
      active: new CounterSeries(counter!, { layer, result: 'active' }),
      revoked_user: new CounterSeries(counter!, { layer, result: 'revoked_user' }),
      revoked_family: new CounterSeries(counter!, { layer, result: 'revoked_family' }),
    });
    this.checks = counter
      ? { l1: series('l1'), l1_grace: series('l1_grace'), redis: series('redis') }
      : undefined;
  }

  /** Subscribes the invalidation channel (with a `subscriber`); until then every check reads Redis. */
  async start(): Promise<void> {
    await this.subscription?.start();
  }

  /** Unsubscribes and forgets the in-process copies; the connections are the caller's to close. */
  async close(): Promise<void> {
    await this.subscription?.stop();
    this.local?.clear();
  }

  /** The generation to stamp into a token issued now for this user. */
  generation(userId: string): Promise<number> {
    return runOperation(this.op, 'access.generation', {}, async () => {
      assertTaggableId(userId, 'userId');
      return Number((await this.redis.get(this.generationKey(userId))) ?? 0);
    });
  }

  /**
   * Whether a token with this stamp still works. A fresh in-process copy answers
   * without Redis; otherwise one MGET. Throws SessionStoreUnavailableError when
   * Redis cannot answer and there is no fresh copy (fail closed: never a guess).
   */
  check(stamp: AccessTokenStamp): Promise<AccessTokenStatus> {
    const { userId, generation } = stamp;
    if (!isTaggableId(userId) || !Number.isFinite(generation))
      return Promise.reject(new SessionsArgumentError('a stamp needs a userId and a numeric generation'));
    const familyId = stamp.familyId ?? NO_FAMILY;
    const copy = this.local?.fresh(userId, familyId, Date.now());
    // Trusted while every revocation reaches it, or when Redis is not connected anyway.
    if (copy && (this.subscription?.healthy === true || this.redis.status !== 'ready'))
      return Promise.resolve(this.judge(stamp, copy, 'l1'));
    if (this.redis.status !== 'ready') {
      const answer = this.withoutRedis(stamp, familyId);
      if (answer) return Promise.resolve(answer);
    }
    return this.checkInRedis(stamp, familyId).catch((error: unknown) => {
      const answer =
        error instanceof SessionStoreUnavailableError ? this.withoutRedis(stamp, familyId) : undefined;
      if (answer) return answer;
      throw error;
    });
  }

  /** Redis cannot answer: a fresh copy, or one within its grace period, or nothing (fail closed). */
  private withoutRedis(stamp: AccessTokenStamp, familyId: string): AccessTokenStatus | undefined {
    const now = Date.now();
    const fresh = this.local?.fresh(stamp.userId, familyId, now);
    if (fresh) return this.judge(stamp, fresh, 'l1');
    const old = this.local?.inGrace(stamp.userId, familyId, now);
    return old ? this.judge(stamp, old, 'l1_grace') : undefined;
  }

  /** Every access token of the user issued until now stops working (password change or reset, sign out everywhere). */
  revokeUser(userId: string): Promise<void> {
    return runOperation(this.op, 'access.revoke_user', {}, async () => {
      assertTaggableId(userId, 'userId');
      await runScript(
        this.bumpScript,
        this.redis,
        [this.generationKey(userId)],
        [this.keepMs, this.channel, userId],
      );
      this.local?.dropUser(userId);
      this.metrics?.accessTokenRevocations.inc({ scope: 'user' });
    });
  }

  /** The access tokens issued with this refresh family stop working (client logout, reuse detected). */
  revokeFamily(userId: string, familyId: string): Promise<void> {
    return runOperation(this.op, 'access.revoke_family', {}, async () => {
      assertTaggableId(userId, 'userId');
      if (typeof familyId !== 'string' || familyId === NO_FAMILY || familyId.length > 256)
        throw new SessionsArgumentError('familyId must be a non-empty string of at most 256 characters');
      await runScript(
        this.markScript,
        this.redis,
        [this.familyKey(userId, familyId)],
        [this.keepMs, this.channel, userId],
      );
      this.local?.dropUser(userId);
      this.metrics?.accessTokenRevocations.inc({ scope: 'family' });
    });
  }

  private checkInRedis(stamp: AccessTokenStamp, familyId: string): Promise<AccessTokenStatus> {
    return runOperation(this.op, 'access.check', {}, async (scope) => {
      const epoch = this.local?.epoch ?? 0;
      const state = await this.read(stamp.userId, familyId);
      this.local?.keep(stamp.userId, familyId, state, epoch, Date.now());
      const status = this.judge(stamp, state, 'redis');
      scope.outcome(status);
      return status;
    });
  }

  private async read(userId: string, familyId: string): Promise<RevocationState> {
    if (familyId === NO_FAMILY) {
      const generation = await this.redis.get(this.generationKey(userId));
      return { generation: Number(generation ?? 0), familyRevoked: false };
    }
    const [generation, family] = await this.redis.mget(
      this.generationKey(userId),
      this.familyKey(userId, familyId),
    );
    return { generation: Number(generation ?? 0), familyRevoked: family !== null };
  }

  private judge(stamp: AccessTokenStamp, state: RevocationState, layer: AccessCheckLayer): AccessTokenStatus {
    const status: AccessTokenStatus =
      stamp.generation < state.generation
        ? 'revoked_user'
        : state.familyRevoked
          ? 'revoked_family'
          : 'active';
    this.checks?.[layer][status].inc();
    if (status !== 'active' && layer === 'redis')
      this.logger.debug({ operation: 'access.check', result: status }, 'revoked access token refused');
    return status;
  }

  private generationKey(userId: string): string {
    return this.keys.key(`{${userId}}`, 'gen');
  }

  private familyKey(userId: string, familyId: string): string {
    return this.keys.key(`{${userId}}`, 'family', familyId);
  }
}
