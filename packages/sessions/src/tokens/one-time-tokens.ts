import type { Keyspace, Logger, RedisClient, RedisScript } from '@rnh/redis-client';
import {
  SessionsArgumentError,
  TokenRejectedError,
  UnknownTokenKindError,
  type TokenRejectReason,
} from '../errors.js';
import { base64UrlLength, randomToken, sha256Hex } from '../internal/crypto.js';
import { runOperation, type OperationContext } from '../internal/operation.js';
import { PRUNE_SET_MEMBERS, pruneSetMembers, runPrune } from '../internal/prune.js';
import { defineScript } from '../internal/scripts.js';
import { DEFAULTS, nonNegativeMs } from '../internal/validate.js';
import type { SessionMetrics } from '../metrics/session-metrics.js';
import type {
  SessionsDeps,
  ConsumedToken,
  IssuedToken,
  OneTimeTokenKind,
  OneTimeTokensOptions,
  PruneOptions,
  PruneResult,
} from '../types.js';
import { DEFAULT_KEY_PREFIXES } from '../defaults.js';
import { resolveDeps } from '../internal/deps.js';

const TOKEN_BYTES = 32;
const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${base64UrlLength(TOKEN_BYTES)}}$`);
const KIND_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_SUBJECT_LENGTH = 1024;

interface StoredToken {
  /** subject */
  s: string;
  /** data */
  d: Record<string, string>;
  /** sha256(token): the kind marker's key */
  m: string;
  /** generation (newest-only kinds): redeemable while the subject's generation is still this one */
  g?: number;
}

// A subject's generation outlives its newest token (written just after the generation moved).
const GENERATION_MARGIN_MS = 60_000;

/**
 * Single-use tokens (email verification, password reset, invites). The token is
 * 256 random bits, base64url; Redis holds only hashes:
 *   <prefix>t:<sha256(kind:token)>              -> {subject, data} (JSON), TTL of the kind
 *   <prefix>m:<sha256(token)>                   -> kind (lets `consume` tell "wrong purpose" apart without touching the other kind's token)
 *   <prefix>s:<kind>:<sha256(subject)>          -> SET of the subject's token hashes (for revokeAllFor)
 *   <prefix>g:<kind>:<sha256(subject)>          -> the subject's generation (newest-only kinds)
 * `consume` is one GETDEL: of any number of concurrent redemptions exactly one wins.
 *
 * Newest-only kinds (`newestOnly`, e.g. password reset: only the latest link works):
 * each issue moves the subject's generation on (one INCR, atomic) and the token
 * records the generation it got; `consume` accepts it only while the generation is
 * still that one. Issuing therefore revokes every earlier token at once, and of any
 * number of concurrent issues exactly one token (the highest generation) stays
 * redeemable. One key per subject, so it holds on Redis Cluster, where the token keys
 * and the subject set live in different slots and no script could span them.
 *
 * A subject set's TTL is renewed by every issue, so it expires with the subject's
 * newest token; while a subject keeps getting tokens, hashes of expired ones stay
 * in it. `prune` removes them.
 */
export class OneTimeTokens {
  private readonly redis: RedisClient;
  private readonly keys: Keyspace;
  private readonly ttlMs: ReadonlyMap<string, number>;
  private readonly newestOnly: ReadonlySet<string>;
  private readonly metrics: SessionMetrics | undefined;
  private readonly logger: Logger;
  private readonly op: OperationContext;
  private readonly pruneScript: RedisScript;

  constructor(deps: SessionsDeps, options: OneTimeTokensOptions) {
    const resolved = resolveDeps(deps, DEFAULT_KEY_PREFIXES.oneTimeTokens);
    this.redis = resolved.redis;
    this.keys = resolved.keys;
    this.metrics = resolved.metrics;
    this.logger = resolved.logger;
    this.op = {
      logger: resolved.logger,
      tracer: resolved.tracer,
      timeoutMs: nonNegativeMs(options.operationTimeoutMs, DEFAULTS.operationTimeoutMs, 'operationTimeoutMs'),
    };
    this.pruneScript = defineScript(PRUNE_SET_MEMBERS, deps.scripts);
    const ttl = new Map<string, number>();
    for (const [kind, seconds] of Object.entries(options.ttlSeconds)) {
      if (!KIND_SHAPE.test(kind))
        throw new SessionsArgumentError(
          `token kind ${JSON.stringify(kind.slice(0, 64))} must be 1-64 characters of A-Z a-z 0-9 _ . -`,
        );
      if (!Number.isFinite(seconds) || seconds <= 0)
        throw new SessionsArgumentError(
          `ttlSeconds.${kind} must be a positive number (got ${String(seconds)})`,
        );
      ttl.set(kind, Math.round(seconds * 1000));
    }
    if (ttl.size === 0) throw new SessionsArgumentError('ttlSeconds must configure at least one token kind');
    this.ttlMs = ttl;
    for (const kind of options.newestOnly ?? [])
      if (!ttl.has(kind))
        throw new SessionsArgumentError(
          `newestOnly names ${JSON.stringify(kind)}, which ttlSeconds does not configure`,
        );
    this.newestOnly = new Set(options.newestOnly ?? []);
    this.metrics?.initKinds([...ttl.keys()], {
      consumed: true,
      reasons: ['malformed', 'expired_or_used', 'wrong_purpose', 'unknown'],
    });
    this.metrics?.initPruneKind('token_subject_member');
  }

  /** The configured kinds. */
  kinds(): OneTimeTokenKind[] {
    return [...this.ttlMs.keys()];
  }

  /** A new token for the subject; for a newest-only kind, the subject's earlier tokens stop working now. */
  issue(kind: OneTimeTokenKind, subject: string, data: Record<string, string> = {}): Promise<IssuedToken> {
    return runOperation(this.op, 'tokens.issue', {}, async (scope) => {
      const ttlMs = this.ttlOf(kind);
      scope.set({ 'rnh.token.kind': kind });
      if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
        throw new SessionsArgumentError(
          `subject must be a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters`,
        );
      }
      if (!isStringRecord(data)) throw new SessionsArgumentError('data must be an object of string values');
      const token = randomToken(TOKEN_BYTES);
      const hash = tokenHash(kind, token);
      const marker = sha256Hex(token);
      const stored: StoredToken = { s: subject, d: data, m: marker };
      if (this.newestOnly.has(kind)) stored.g = await this.nextGeneration(kind, subject, ttlMs);
      const subjectSet = this.subjectKey(kind, subject);
      // Different keys, different slots: separate commands (auto-pipelined). The token key is written
      // before its hash enters the subject set, so a member whose token key is missing is dead for
      // good (expired, consumed or revoked; hashes are never reused): `prune` relies on that.
      // Nobody holds the token before this returns, so nothing can redeem it in between.
      await Promise.all([
        this.redis.set(this.keys.key('m', marker), kind, 'PX', ttlMs),
        this.redis.set(this.keys.key('t', hash), JSON.stringify(stored), 'PX', ttlMs),
      ]);
      await Promise.all([this.redis.sadd(subjectSet, hash), this.redis.pexpire(subjectSet, ttlMs)]);
      this.metrics?.tokensIssued.inc({ kind });
      return { token, expiresAt: new Date(Date.now() + ttlMs) };
    });
  }

  /**
   * Redeems a token once. Throws TokenRejectedError: `malformed` (not a token's
   * shape), `wrong_purpose` (a live token of another kind, left untouched),
   * `expired_or_used` (not found).
   */
  consume(kind: OneTimeTokenKind, token: string): Promise<ConsumedToken> {
    return runOperation(this.op, 'tokens.consume', {}, async (scope) => {
      this.ttlOf(kind);
      scope.set({ 'rnh.token.kind': kind });
      if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) this.reject(kind, 'malformed');
      const hash = tokenHash(kind, token);
      const marker = sha256Hex(token);
      const stored = await this.readStored(
        'tokens.consume',
        kind,
        marker,
        await this.redis.getdel(this.keys.key('t', hash)),
      );
      // Already taken (GETDEL); the rest is tidying and may fail without undoing that.
      const [current, ...cleanup] = await Promise.allSettled([
        stored.g === undefined ? Promise.resolve(null) : this.redis.get(this.generationKey(kind, stored.s)),
        this.redis.unlink(this.keys.key('m', marker)),
        this.redis.srem(this.subjectKey(kind, stored.s), hash),
      ]);
      if (cleanup.some((result) => result.status === 'rejected')) {
        this.logger.warn(
          { operation: 'tokens.consume', kind },
          'token redeemed, but removing its marker or subject entry failed (they expire)',
        );
      }
      if (stored.g !== undefined) {
        // Fails closed: a generation that cannot be read, or has moved on (a newer token was issued).
        if (current!.status === 'rejected') throw current!.reason;
        if (current!.value !== String(stored.g)) this.reject(kind, 'expired_or_used');
      }
      this.metrics?.tokensConsumed.inc({ kind });
      return { subject: stored.s, data: stored.d ?? {} };
    });
  }

  /**
   * What a live token would redeem, without redeeming it: lets a caller refuse a request (a weak
   * new password on a reset link) before spending the link on it. Rejects as `consume` does; the
   * token stays usable, and only `consume` decides who gets it.
   */
  peek(kind: OneTimeTokenKind, token: string): Promise<ConsumedToken> {
    return runOperation(this.op, 'tokens.peek', {}, async (scope) => {
      this.ttlOf(kind);
      scope.set({ 'rnh.token.kind': kind });
      if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) this.reject(kind, 'malformed');
      const stored = await this.readStored(
        'tokens.peek',
        kind,
        sha256Hex(token),
        await this.redis.get(this.keys.key('t', tokenHash(kind, token))),
      );
      // A newest-only token that a newer one superseded would be refused by consume: say so now.
      if (stored.g !== undefined) {
        const current = await this.redis.get(this.generationKey(kind, stored.s));
        if (current !== String(stored.g)) this.reject(kind, 'expired_or_used');
      }
      return { subject: stored.s, data: stored.d ?? {} };
    });
  }

  /** Invalidates every live token of this kind for the subject (e.g. older reset links); returns how many. */
  revokeAllFor(kind: OneTimeTokenKind, subject: string): Promise<number> {
    return runOperation(this.op, 'tokens.revoke_all', {}, async (scope) => {
      this.ttlOf(kind);
      scope.set({ 'rnh.token.kind': kind });
      if (typeof subject !== 'string' || subject.length === 0)
        throw new SessionsArgumentError('subject must be a non-empty string');
      const subjectSet = this.subjectKey(kind, subject);
      // Newest-only: moving the generation on revokes every outstanding token at once, listed or not.
      if (this.newestOnly.has(kind)) await this.nextGeneration(kind, subject, this.ttlOf(kind));
      const hashes = await this.redis.smembers(subjectSet);
      if (hashes.length === 0) {
        scope.set({ 'rnh.tokens.count': 0 });
        return 0;
      }
      const values = await Promise.all(hashes.map((hash) => this.redis.getdel(this.keys.key('t', hash))));
      const markers = values.flatMap((value) => {
        const marker = value === null ? undefined : markerOf(value);
        return marker ? [this.keys.key('m', marker)] : [];
      });
      // SREM (not DEL) the members we saw: a token issued meanwhile stays listed.
      await Promise.all([
        this.redis.srem(subjectSet, ...hashes),
        ...markers.map((key) => this.redis.unlink(key)),
      ]);
      const count = values.filter((value) => value !== null).length;
      scope.set({ 'rnh.tokens.count': count });
      return count;
    });
  }

  /**
   * Maintenance for a scheduled job: walks every subject set of this keyspace (all
   * kinds; SCAN on every master, MATCH on the `s:` prefix) and removes the hashes
   * whose token key is gone (expired, consumed, revoked); a set left empty
   * disappears. A live token's hash is never removed (its token key is written
   * before the hash is added). Bounded by `maxKeys` and `signal`; continue a
   * stopped pass with the returned `cursor`; safe to run twice at once.
   */
  prune(options?: PruneOptions): Promise<PruneResult> {
    const isLive = async (hashes: string[]) => {
      const counts = await Promise.all(hashes.map((hash) => this.redis.exists(this.keys.key('t', hash))));
      return counts.map((count) => count === 1);
    };
    return runPrune(
      {
        operation: 'tokens.prune',
        redis: this.redis,
        logger: this.logger,
        metrics: this.metrics,
        kind: 'token_subject_member',
        pattern: this.keys.pattern('s:*'),
        type: 'set',
        timeoutMs: this.op.timeoutMs,
        pruneKey: (key, settings) =>
          pruneSetMembers(
            {
              redis: this.redis,
              script: this.pruneScript,
              batchSize: settings.batchSize,
              timeoutMs: this.op.timeoutMs,
              operation: 'tokens.prune',
            },
            key,
            isLive,
          ),
      },
      options,
    );
  }

  private ttlOf(kind: OneTimeTokenKind): number {
    const ttl = typeof kind === 'string' ? this.ttlMs.get(kind) : undefined;
    if (ttl === undefined) throw new UnknownTokenKindError(String(kind));
    return ttl;
  }

  /**
   * The stored token read by `consume` or `peek`, or the rejection: a token of another kind
   * (its marker says so) is `wrong_purpose`, an absent one `expired_or_used`.
   */
  private async readStored(
    operation: string,
    kind: OneTimeTokenKind,
    marker: string,
    raw: string | null,
  ): Promise<StoredToken> {
    if (raw === null) {
      const markedKind = await this.redis.get(this.keys.key('m', marker));
      this.reject(kind, markedKind !== null && markedKind !== kind ? 'wrong_purpose' : 'expired_or_used');
    }
    try {
      return JSON.parse(raw) as StoredToken;
    } catch {
      this.logger.warn({ operation, kind }, 'stored token is not valid JSON');
      this.reject(kind, 'unknown');
    }
  }

  private reject(kind: string, reason: TokenRejectReason): never {
    this.metrics?.rejected(kind, reason);
    throw new TokenRejectedError(reason);
  }

  private subjectKey(kind: string, subject: string): string {
    return this.keys.key('s', kind, sha256Hex(subject));
  }

  private generationKey(kind: string, subject: string): string {
    return this.keys.key('g', kind, sha256Hex(subject));
  }

  /** Moves the subject's generation on (INCR in a MULTI with its TTL: one key, one slot) and answers it. */
  private async nextGeneration(kind: string, subject: string, ttlMs: number): Promise<number> {
    const key = this.generationKey(kind, subject);
    const results = await this.redis
      .multi()
      .incr(key)
      .pexpire(key, ttlMs + GENERATION_MARGIN_MS)
      .exec();
    const [incremented] = results ?? [];
    if (!incremented || incremented[0])
      throw incremented?.[0] ?? new Error('generation transaction was discarded');
    return Number(incremented[1]);
  }
}

function tokenHash(kind: string, token: string): string {
  return sha256Hex(`${kind}:${token}`);
}

function markerOf(raw: string): string | undefined {
  try {
    const marker = (JSON.parse(raw) as Partial<StoredToken>).m;
    return typeof marker === 'string' ? marker : undefined;
  } catch {
    return undefined;
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}
