import type { Keyspace, Logger, RedisClient, RedisScript } from '@rnh/redis-client';
import {
  RefreshTokenRejectedError,
  RefreshTokenReuseError,
  SessionsArgumentError,
  type TokenRejectReason,
} from '../errors.js';
import { base64UrlLength, hmacBase64Url, randomToken, sha256Hex } from '../internal/crypto.js';
import { runOperation, type OperationContext } from '../internal/operation.js';
import { PRUNE_SET_MEMBERS, pruneSetMembers, runPrune } from '../internal/prune.js';
import { defineScript, runScript } from '../internal/scripts.js';
import { assertTaggableId, DEFAULTS, nonNegativeMs, positiveSeconds } from '../internal/validate.js';
import type { SessionMetrics } from '../metrics/session-metrics.js';
import type {
  IssuedRefreshToken,
  PruneOptions,
  PruneResult,
  RefreshTokensDeps,
  RefreshTokensOptions,
  RotatedRefreshToken,
} from '../types.js';
import { DEFAULT_KEY_PREFIXES } from '../defaults.js';
import { resolveDeps } from '../internal/deps.js';

import { ISSUE_REFRESH, REVOKE_BY_TOKEN, REVOKE_FAMILY, ROTATE_REFRESH } from './scripts.js';

const FAMILY_BYTES = 16;
const SECRET_BYTES = 32;
const FAMILY_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${base64UrlLength(FAMILY_BYTES)}}$`);
const TOKEN_SHAPE = new RegExp(
  `^([A-Za-z0-9_-]{${base64UrlLength(FAMILY_BYTES)}})\\.([A-Za-z0-9_-]{${base64UrlLength(SECRET_BYTES)}})$`,
);
const KIND = 'refresh';

type RotateReply = [string, string?, string?, number?];

/**
 * Rotating refresh tokens in families. A token is `<familyId>.<secret>`: the
 * family id finds the family's keys without a global lookup; Redis holds only
 * sha256 of secrets. Keys (the family's share the `{familyId}` tag):
 *   <prefix>{<familyId>}        HASH u, cur, exp, end, prev, pn, pat (see the rotate script)
 *   <prefix>{<familyId>}:used   LIST of hashes rotated away before `prev` (reuse detection, capped)
 *   <prefix>user:<userId>       SET of the user's family ids (for revokeAllForUser)
 * The user set's TTL is renewed by every issue and rotation of any of the user's
 * families, so ids of families that expired stay in it while another is in use;
 * `prune` removes them.
 *
 * The successor of a token is derived: HMAC(old secret, nonce), with the nonce
 * stored. So concurrent refreshes with the same token within `graceMs` get the
 * same successor, which Redis itself could not produce (it has only hashes).
 *
 * A family ends `familyMaxAgeSeconds` after its first token however often it
 * is rotated (each rotation lives `ttlSeconds`, capped at that deadline).
 */
export class RefreshTokens {
  private readonly redis: RedisClient;
  private readonly keys: Keyspace;
  private readonly ttlMs: number;
  private readonly maxAgeMs: number;
  private readonly graceMs: number;
  private readonly history: number;
  private readonly metrics: SessionMetrics | undefined;
  private readonly logger: Logger;
  private readonly accessTokens: RefreshTokensDeps['accessTokens'];
  private readonly op: OperationContext;
  private readonly issueScript: RedisScript;
  private readonly rotateScript: RedisScript;
  private readonly revokeScript: RedisScript;
  private readonly revokeByTokenScript: RedisScript;
  private readonly pruneScript: RedisScript;

  constructor(deps: RefreshTokensDeps, options: RefreshTokensOptions = {}) {
    const resolved = resolveDeps(deps, DEFAULT_KEY_PREFIXES.refreshTokens);
    this.redis = resolved.redis;
    this.keys = resolved.keys;
    this.ttlMs = Math.round(
      positiveSeconds(options.ttlSeconds, DEFAULTS.refreshTtlSeconds, 'ttlSeconds') * 1000,
    );
    this.maxAgeMs = Math.round(
      positiveSeconds(
        options.familyMaxAgeSeconds,
        DEFAULTS.refreshFamilyMaxAgeSeconds,
        'familyMaxAgeSeconds',
      ) * 1000,
    );
    this.graceMs = nonNegativeMs(options.graceMs, DEFAULTS.refreshGraceMs, 'graceMs');
    this.history = options.reuseHistory ?? DEFAULTS.reuseHistory;
    if (!Number.isInteger(this.history) || this.history < 1)
      throw new SessionsArgumentError('reuseHistory must be an integer >= 1');
    this.metrics = resolved.metrics;
    this.logger = resolved.logger;
    this.accessTokens = deps.accessTokens;
    this.op = {
      logger: resolved.logger,
      tracer: resolved.tracer,
      timeoutMs: nonNegativeMs(options.operationTimeoutMs, DEFAULTS.operationTimeoutMs, 'operationTimeoutMs'),
    };
    this.issueScript = defineScript(ISSUE_REFRESH, deps.scripts);
    this.rotateScript = defineScript(ROTATE_REFRESH, deps.scripts);
    this.revokeScript = defineScript(REVOKE_FAMILY, deps.scripts);
    this.revokeByTokenScript = defineScript(REVOKE_BY_TOKEN, deps.scripts);
    this.pruneScript = defineScript(PRUNE_SET_MEMBERS, deps.scripts);
    this.metrics?.initKinds([KIND], {
      consumed: false,
      reasons: ['malformed', 'expired_or_used', 'unknown'],
    });
    this.metrics?.initPruneKind('refresh_user_family');
  }

  /** Starts a new family for the user (a sign-in) and returns its first token. */
  issue(userId: string): Promise<IssuedRefreshToken> {
    return runOperation(this.op, 'refresh.issue', { 'rnh.token.kind': KIND }, async () => {
      assertTaggableId(userId, 'userId');
      const familyId = randomToken(FAMILY_BYTES);
      const secret = randomToken(SECRET_BYTES);
      const userSet = this.userKey(userId);
      // The family first, then its id in the user's set: an id whose family key is missing is a
      // family gone for good (expired, revoked; ids are random and never reused), which `prune` relies on.
      const expiresAt = Number(
        await runScript(
          this.issueScript,
          this.redis,
          [this.familyKey(familyId)],
          [userId, sha256Hex(secret), this.ttlMs, this.maxAgeMs],
        ),
      );
      await Promise.all([this.redis.sadd(userSet, familyId), this.redis.pexpire(userSet, this.ttlMs)]);
      this.metrics?.tokensIssued.inc({ kind: KIND });
      return { token: `${familyId}.${secret}`, familyId, expiresAt: new Date(expiresAt) };
    });
  }

  /**
   * Exchanges the current token for its successor. The same token again within
   * `graceMs` returns the same successor; later, or any older token, is reuse:
   * the family is revoked and RefreshTokenReuseError thrown. Unknown, expired,
   * revoked or past the family's maximum age: RefreshTokenRejectedError
   * (`malformed`, `expired_or_used`, or `unknown` for a secret that is not of this family).
   */
  rotate(token: string): Promise<RotatedRefreshToken> {
    return runOperation(this.op, 'refresh.rotate', { 'rnh.token.kind': KIND }, async (scope) => {
      const match = typeof token === 'string' ? TOKEN_SHAPE.exec(token) : null;
      if (!match) this.reject('malformed');
      const familyId = match[1] as string;
      const secret = match[2] as string;
      const nonce = randomToken(16);
      const reply = (await runScript(
        this.rotateScript,
        this.redis,
        [this.familyKey(familyId), this.usedKey(familyId)],
        [
          sha256Hex(secret),
          nonce,
          sha256Hex(successorOf(secret, nonce)),
          this.graceMs,
          this.ttlMs,
          this.history,
          this.maxAgeMs,
        ],
      )) as RotateReply;
      const [status, userId = '', storedNonce = '', expiresAt = 0] = reply;
      if (status === 'rotated' || status === 'grace') {
        scope.outcome(status);
        if (status === 'rotated') {
          this.metrics?.refreshRotations.inc();
          await this.redis.pexpire(this.userKey(userId), this.ttlMs);
        }
        return {
          token: `${familyId}.${successorOf(secret, storedNonce)}`,
          userId,
          familyId,
          expiresAt: new Date(Number(expiresAt)),
        };
      }
      if (status === 'reuse') {
        this.metrics?.refreshReuseDetected.inc();
        this.logger.warn(
          { operation: 'refresh.rotate', userId },
          'refresh token reuse detected; the token family was revoked',
        );
        await this.redis.srem(this.userKey(userId), familyId).catch(() => undefined);
        // Whoever holds the stolen token may have an access token from it too.
        await this.accessTokens?.revokeFamily(userId, familyId);
        throw new RefreshTokenReuseError();
      }
      // 'unknown': the family exists but this secret was never one of its tokens (forged or garbled); not a reuse.
      return this.reject(status === 'unknown' ? 'unknown' : 'expired_or_used');
    });
  }

  /**
   * Signs a client out: revokes the family of `token` when it is, or was, one of
   * its tokens (the current one, or an older one: whoever presents it held the
   * family). Returns whether a family was revoked; a malformed, unknown or
   * expired token revokes nothing.
   */
  revoke(token: string): Promise<boolean> {
    return runOperation(this.op, 'refresh.revoke', { 'rnh.token.kind': KIND }, async (scope) => {
      const match = typeof token === 'string' ? TOKEN_SHAPE.exec(token) : null;
      if (!match) return false;
      const familyId = match[1] as string;
      const userId = String(
        await runScript(
          this.revokeByTokenScript,
          this.redis,
          [this.familyKey(familyId), this.usedKey(familyId)],
          [sha256Hex(match[2] as string)],
        ),
      );
      scope.set({ 'rnh.tokens.count': userId ? 1 : 0 });
      if (!userId) return false;
      await this.redis.srem(this.userKey(userId), familyId);
      await this.accessTokens?.revokeFamily(userId, familyId);
      return true;
    });
  }

  /** Revokes one family: every token of it stops working. */
  revokeFamily(familyId: string): Promise<void> {
    return runOperation(this.op, 'refresh.revoke_family', {}, async (scope) => {
      if (typeof familyId !== 'string' || !FAMILY_SHAPE.test(familyId)) return;
      const userId = String(
        await runScript(
          this.revokeScript,
          this.redis,
          [this.familyKey(familyId), this.usedKey(familyId)],
          [''],
        ),
      );
      scope.set({ 'rnh.tokens.count': userId ? 1 : 0 });
      if (!userId) return;
      await this.redis.srem(this.userKey(userId), familyId);
      await this.accessTokens?.revokeFamily(userId, familyId);
    });
  }

  /**
   * Revokes every family of the user (e.g. on password change), and with
   * `accessTokens` every access token of the user; returns how many families
   * were live. With `keepFamilyId` (sign out every other client), that family
   * and its access tokens are kept, and the others' access tokens are revoked
   * family by family.
   */
  revokeAllForUser(userId: string, options: { keepFamilyId?: string } = {}): Promise<number> {
    return runOperation(this.op, 'refresh.revoke_user', {}, async (scope) => {
      assertTaggableId(userId, 'userId');
      const userSet = this.userKey(userId);
      const familyIds = (await this.redis.smembers(userSet)).filter(
        (id) => FAMILY_SHAPE.test(id) && id !== options.keepFamilyId,
      );
      const owners = await Promise.all(
        familyIds.map((familyId) =>
          runScript(
            this.revokeScript,
            this.redis,
            [this.familyKey(familyId), this.usedKey(familyId)],
            [userId],
          ),
        ),
      );
      if (familyIds.length > 0) await this.redis.srem(userSet, ...familyIds);
      const revoked = familyIds.filter((_, index) => owners[index] === userId);
      // After the families: a refresh racing with this gets a token of the old generation, revoked below.
      if (options.keepFamilyId === undefined) await this.accessTokens?.revokeUser(userId);
      else await Promise.all(revoked.map((familyId) => this.accessTokens?.revokeFamily(userId, familyId)));
      scope.set({ 'rnh.tokens.count': revoked.length });
      return revoked.length;
    });
  }

  /**
   * Maintenance for a scheduled job: walks every user set of this keyspace (SCAN
   * on every master, MATCH on the `user:` prefix) and removes the ids of families
   * that no longer exist (expired, revoked, reuse-detected); a set left empty
   * disappears. A live family's id is never removed (the family is written before
   * its id is added). Bounded by `maxKeys` and `signal`; continue a stopped pass
   * with the returned `cursor`; safe to run twice at once.
   */
  prune(options?: PruneOptions): Promise<PruneResult> {
    const isLive = (familyIds: string[]) =>
      Promise.all(
        familyIds.map((familyId) =>
          FAMILY_SHAPE.test(familyId)
            ? this.redis.exists(this.familyKey(familyId)).then((count) => count === 1)
            : Promise.resolve(false),
        ),
      );
    return runPrune(
      {
        operation: 'refresh.prune',
        redis: this.redis,
        logger: this.logger,
        metrics: this.metrics,
        kind: 'refresh_user_family',
        pattern: this.keys.pattern('user:*'),
        type: 'set',
        timeoutMs: this.op.timeoutMs,
        pruneKey: (key, settings) =>
          pruneSetMembers(
            {
              redis: this.redis,
              script: this.pruneScript,
              batchSize: settings.batchSize,
              timeoutMs: this.op.timeoutMs,
              operation: 'refresh.prune',
            },
            key,
            isLive,
          ),
      },
      options,
    );
  }

  private reject(reason: TokenRejectReason): never {
    this.metrics?.rejected(KIND, reason);
    throw new RefreshTokenRejectedError(reason);
  }

  private familyKey(familyId: string): string {
    return this.keys.key(`{${familyId}}`);
  }

  private usedKey(familyId: string): string {
    return this.keys.key(`{${familyId}}`, 'used');
  }

  private userKey(userId: string): string {
    return this.keys.key('user', userId);
  }
}

function successorOf(secret: string, nonce: string): string {
  return hmacBase64Url(secret, `rnh-refresh-successor:${nonce}`);
}
