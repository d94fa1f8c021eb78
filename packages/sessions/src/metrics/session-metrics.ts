import { Counter, Gauge } from 'prom-client';
import { TOKEN_REJECT_REASONS, type TokenRejectReason } from '../errors.js';
import { getOrCreate, sourcesOf, type AnyRegistry } from './registry-util.js';

export type RevokeScope = 'one' | 'others' | 'all';

/** Who answered a revocation check: a fresh in-process copy, a copy in its grace period (Redis unreachable), or Redis. */
export type AccessCheckLayer = 'l1' | 'l1_grace' | 'redis';

/** What a revocation covered: every access token of a user, or those of one refresh family. */
export type AccessRevocationScope = 'user' | 'family';

/** What a maintenance prune removed: the `kind` label of `session_maintenance_pruned_total`. */
export type PruneKind = 'session_index_entry' | 'token_subject_member' | 'refresh_user_family';

/** Counts sessions for `sessions_active`; the store registers one (a sampled SCAN count). */
export interface ActiveSessionsSource {
  sample(): Promise<number>;
}

/**
 * The package's metrics on an injected registry. Labels are bounded: `scope`
 * (one|others|all), `kind` (configured token kinds and `refresh`; on
 * `session_maintenance_pruned_total` a PruneKind), `reason` (TokenRejectReason),
 * `layer` (AccessCheckLayer), `result` (AccessTokenStatus), `scope` of
 * `access_token_revocations_total` (AccessRevocationScope).
 * Never an id, token or key.
 */
export class SessionMetrics {
  readonly sessionsActive: Gauge;
  readonly sessionsCreated: Counter;
  readonly sessionsDestroyed: Counter;
  readonly sessionsRevoked: Counter<'scope'>;
  readonly tokensIssued: Counter<'kind'>;
  readonly tokensConsumed: Counter<'kind'>;
  readonly tokensRejected: Counter<'kind' | 'reason'>;
  readonly refreshRotations: Counter;
  readonly refreshReuseDetected: Counter;
  readonly maintenancePruned: Counter<'kind'>;
  readonly accessTokenChecks: Counter<'layer' | 'result'>;
  readonly accessTokenRevocations: Counter<'scope'>;

  constructor(registry: AnyRegistry) {
    const registers = [registry];
    this.sessionsActive = getOrCreate(
      registry,
      'sessions_active',
      () =>
        new Gauge({
          name: 'sessions_active',
          help: 'Sessions currently stored in Redis (SCAN count of session keys, sampled at scrape time and cached).',
          registers,
          async collect() {
            const sources = sourcesOf<ActiveSessionsSource>(this);
            if (sources.size === 0) return;
            let total = 0;
            // One sampler per keyspace: two stores on the same keys are counted once.
            for (const samplers of sources.values()) {
              const first = samplers.values().next().value;
              if (first) total += await first.sample();
            }
            this.set(total);
          },
        }),
    );
    this.sessionsCreated = getOrCreate(
      registry,
      'sessions_created_total',
      () =>
        new Counter({
          name: 'sessions_created_total',
          help: 'Sessions saved to the store for the first time.',
          registers,
        }),
    );
    this.sessionsDestroyed = getOrCreate(
      registry,
      'sessions_destroyed_total',
      () =>
        new Counter({
          name: 'sessions_destroyed_total',
          help: 'Sessions deleted by the store (logout, regenerate, destroy).',
          registers,
        }),
    );
    this.sessionsRevoked = getOrCreate(
      registry,
      'sessions_revoked_total',
      () =>
        new Counter({
          name: 'sessions_revoked_total',
          help: 'Sessions revoked through the user session index, by scope (one, others, all).',
          labelNames: ['scope'] as const,
          registers,
        }),
    );
    this.tokensIssued = getOrCreate(
      registry,
      'tokens_issued_total',
      () =>
        new Counter({
          name: 'tokens_issued_total',
          help: 'One-time and refresh tokens issued, by kind (refresh: new families).',
          labelNames: ['kind'] as const,
          registers,
        }),
    );
    this.tokensConsumed = getOrCreate(
      registry,
      'tokens_consumed_total',
      () =>
        new Counter({
          name: 'tokens_consumed_total',
          help: 'One-time tokens redeemed successfully, by kind.',
          labelNames: ['kind'] as const,
          registers,
        }),
    );
    this.tokensRejected = getOrCreate(
      registry,
      'tokens_rejected_total',
      () =>
        new Counter({
          name: 'tokens_rejected_total',
          help: 'Tokens refused, by kind and reason (malformed, expired_or_used, wrong_purpose, unknown).',
          labelNames: ['kind', 'reason'] as const,
          registers,
        }),
    );
    this.refreshRotations = getOrCreate(
      registry,
      'refresh_token_rotations_total',
      () =>
        new Counter({
          name: 'refresh_token_rotations_total',
          help: 'Refresh tokens rotated to a new successor (grace-period replays not counted).',
          registers,
        }),
    );
    this.refreshReuseDetected = getOrCreate(
      registry,
      'refresh_token_reuse_detected_total',
      () =>
        new Counter({
          name: 'refresh_token_reuse_detected_total',
          help: 'Rotated refresh tokens presented again after the grace period; each revoked its whole family.',
          registers,
        }),
    );
    this.maintenancePruned = getOrCreate(
      registry,
      'session_maintenance_pruned_total',
      () =>
        new Counter({
          name: 'session_maintenance_pruned_total',
          help: 'Dead entries removed by the maintenance prune runs, by kind (session_index_entry, token_subject_member, refresh_user_family).',
          labelNames: ['kind'] as const,
          registers,
        }),
    );
    this.accessTokenChecks = getOrCreate(
      registry,
      'access_token_checks_total',
      () =>
        new Counter({
          name: 'access_token_checks_total',
          help: 'Access-token revocation checks, by layer that answered (l1; l1_grace: a copy past its freshness while Redis was unreachable; redis) and result (active, revoked_user, revoked_family).',
          labelNames: ['layer', 'result'] as const,
          registers,
        }),
    );
    this.accessTokenRevocations = getOrCreate(
      registry,
      'access_token_revocations_total',
      () =>
        new Counter({
          name: 'access_token_revocations_total',
          help: 'Access-token revocations, by scope (user: every token of a user; family: the tokens of one refresh family).',
          labelNames: ['scope'] as const,
          registers,
        }),
    );
    for (const scope of ['one', 'others', 'all'] as const) this.sessionsRevoked.inc({ scope }, 0);
  }

  /** Makes the series of these kinds visible at 0 before the first event (for rate() and alerts). */
  initKinds(
    kinds: readonly string[],
    options: { consumed: boolean; reasons?: readonly TokenRejectReason[] },
  ): void {
    for (const kind of kinds) {
      this.tokensIssued.inc({ kind }, 0);
      if (options.consumed) this.tokensConsumed.inc({ kind }, 0);
      for (const reason of options.reasons ?? TOKEN_REJECT_REASONS)
        this.tokensRejected.inc({ kind, reason }, 0);
    }
  }

  /** Makes the access-token series visible at 0 (AccessTokenRevocations calls this). */
  initAccessTokens(): void {
    for (const layer of ['l1', 'l1_grace', 'redis'] as const)
      for (const result of ['active', 'revoked_user', 'revoked_family'] as const)
        this.accessTokenChecks.inc({ layer, result }, 0);
    for (const scope of ['user', 'family'] as const) this.accessTokenRevocations.inc({ scope }, 0);
  }

  /** Makes the prune series of this kind visible at 0 (the component that prunes it calls this). */
  initPruneKind(kind: PruneKind): void {
    this.maintenancePruned.inc({ kind }, 0);
  }

  pruned(kind: PruneKind, count: number): void {
    if (count > 0) this.maintenancePruned.inc({ kind }, count);
  }

  rejected(kind: string, reason: TokenRejectReason): void {
    this.tokensRejected.inc({ kind, reason });
  }

  /**
   * Adds a source to `sessions_active`, keyed by the store's key prefix (so two
   * stores on one keyspace are not counted twice). Returns the unregister function.
   */
  trackActiveSessions(keyPrefix: string, source: ActiveSessionsSource): () => void {
    const sources = sourcesOf<ActiveSessionsSource>(this.sessionsActive);
    let set = sources.get(keyPrefix);
    if (!set) {
      set = new Set();
      sources.set(keyPrefix, set);
    }
    set.add(source);
    return () => {
      const current = sources.get(keyPrefix);
      current?.delete(source);
      if (current?.size === 0) sources.delete(keyPrefix);
    };
  }
}

/** The package's metrics on `registry`; safe to call more than once on one registry (metrics are reused). */
export function createSessionMetrics(registry: AnyRegistry): SessionMetrics {
  return new SessionMetrics(registry);
}
