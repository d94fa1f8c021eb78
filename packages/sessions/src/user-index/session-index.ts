import type { Keyspace, Logger, RedisClient, RedisScript } from '@rnh/redis-client';
import { runOperation, withTimeout, type OperationContext } from '../internal/operation.js';
import { runPrune } from '../internal/prune.js';
import { defineScript, runScript } from '../internal/scripts.js';
import {
  assertTaggableId,
  DEFAULTS,
  isTaggableId,
  nonNegativeMs,
  positiveSeconds,
} from '../internal/validate.js';
import type { SessionMetrics } from '../metrics/session-metrics.js';
import type { DeviceInput } from '../store/device.js';
import { sessionKey, tombstoneKey } from '../store/keys.js';
import { DESTROY_SESSION } from '../store/scripts.js';
import type {
  SessionsDeps,
  PruneOptions,
  PruneResult,
  SessionDevice,
  SessionIndexOptions,
  UserSessionInfo,
} from '../types.js';
import { DEFAULT_KEY_PREFIXES } from '../defaults.js';
import { resolveDeps } from '../internal/deps.js';
import { toKeyspace } from '@rnh/redis-client';

import { entriesKey, entriesKeyPattern, revokedKey } from './keys.js';
import { MARK_REVOKED, RECORD_SESSION, REMOVE_DEAD_ENTRIES } from './scripts.js';

type DestroyReply = [number, string];
type RemoveReply = [number, number];

/**
 * Each user's sessions with their device metadata, for "where am I signed in"
 * and for revoking sessions. The session key is the truth: revoke deletes the
 * session first (one script on the session's slot, which also checks that it
 * belongs to the user), then updates the index on the user's slot; `list` drops
 * entries whose session key is gone. Revocations also leave markers (a per-sid
 * marker, or a per-user cutoff for revokeOthers/revokeAll) that the store checks
 * whenever it records a session (its first save, and a load once per activity
 * interval), so a session the index missed, or one a late request wrote back
 * after its tombstone expired, still does not authenticate.
 */
export class SessionIndex {
  private readonly redis: RedisClient;
  private readonly keys: Keyspace;
  private readonly sessionKeys: Keyspace;
  private readonly metrics: SessionMetrics | undefined;
  private readonly logger: Logger;
  private readonly retentionMs: number;
  private readonly tombstoneMs: number;
  private readonly op: OperationContext;
  private readonly recordScript: RedisScript;
  private readonly markScript: RedisScript;
  private readonly destroyScript: RedisScript;
  private readonly removeDeadScript: RedisScript;

  constructor(deps: SessionsDeps, options: SessionIndexOptions = {}) {
    const resolved = resolveDeps(deps, DEFAULT_KEY_PREFIXES.sessionIndex);
    this.redis = resolved.redis;
    this.keys = resolved.keys;
    this.sessionKeys = toKeyspace(options.sessionKeys, DEFAULT_KEY_PREFIXES.sessions);
    this.metrics = resolved.metrics;
    this.logger = resolved.logger;
    this.retentionMs = Math.round(
      positiveSeconds(options.retentionSeconds, DEFAULTS.absoluteTtlSeconds, 'retentionSeconds') * 1000,
    );
    this.tombstoneMs = Math.round(
      positiveSeconds(options.tombstoneTtlSeconds, DEFAULTS.tombstoneTtlSeconds, 'tombstoneTtlSeconds') *
        1000,
    );
    this.op = {
      logger: resolved.logger,
      tracer: resolved.tracer,
      timeoutMs: nonNegativeMs(options.operationTimeoutMs, DEFAULTS.operationTimeoutMs, 'operationTimeoutMs'),
    };
    this.recordScript = defineScript(RECORD_SESSION, deps.scripts);
    this.markScript = defineScript(MARK_REVOKED, deps.scripts);
    this.destroyScript = defineScript(DESTROY_SESSION, deps.scripts);
    this.removeDeadScript = defineScript(REMOVE_DEAD_ENTRIES, deps.scripts);
    this.metrics?.initPruneKind('session_index_entry');
  }

  /** The user's live sessions, newest lastSeenAt first; entries whose session is gone are removed on the way. */
  list(userId: string, currentSessionId?: string): Promise<UserSessionInfo[]> {
    return runOperation(this.op, 'sessions.list', {}, async (scope) => {
      assertTaggableId(userId, 'userId');
      const key = entriesKey(this.keys, userId);
      const entries = await this.redis.hgetall(key);
      const sids = Object.keys(entries);
      const alive = await this.sessionsAlive(sids);
      const stale: Array<[string, string]> = [];
      const live: UserSessionInfo[] = [];
      sids.forEach((sid, index) => {
        const raw = entries[sid] ?? '';
        const device = alive[index] ? parseDevice(raw) : undefined;
        if (!device) {
          stale.push([sid, raw]);
          return;
        }
        const info: UserSessionInfo = { sessionId: sid, device };
        if (currentSessionId !== undefined) info.current = sid === currentSessionId;
        live.push(info);
      });
      if (stale.length > 0) await this.removeDead(key, stale);
      live.sort((a, b) => b.device.lastSeenAt - a.device.lastSeenAt);
      scope.set({ 'rnh.sessions.count': live.length, 'rnh.sessions.stale_removed': stale.length });
      return live;
    });
  }

  /** Revokes one session if it belongs to the user: deletes it (leaving a tombstone), then its index entry. */
  revoke(userId: string, sessionId: string): Promise<boolean> {
    return runOperation(this.op, 'sessions.revoke', { 'rnh.revoke.scope': 'one' }, async (scope) => {
      assertTaggableId(userId, 'userId');
      if (!isTaggableId(sessionId)) return false;
      const [deleted] = (await runScript(
        this.destroyScript,
        this.redis,
        [sessionKey(this.sessionKeys, sessionId), tombstoneKey(this.sessionKeys, sessionId)],
        [this.tombstoneMs, userId, ''],
      )) as DestroyReply;
      if (deleted === 1) {
        await this.mark(userId, '', '', [sessionId], []);
        this.metrics?.sessionsRevoked.inc({ scope: 'one' });
      } else {
        // Not this user's live session: drop a dangling entry if this user's index has one.
        await this.redis.hdel(entriesKey(this.keys, userId), sessionId);
      }
      scope.set({ 'rnh.sessions.count': deleted });
      return deleted === 1;
    });
  }

  /** Revokes every session of the user except `keepSessionId` (e.g. "sign out other devices"); returns how many were deleted. */
  revokeOthers(userId: string, keepSessionId: string): Promise<number> {
    return runOperation(
      this.op,
      'sessions.revoke_others',
      { 'rnh.revoke.scope': 'others' },
      async (scope) => {
        assertTaggableId(userId, 'userId');
        assertTaggableId(keepSessionId, 'keepSessionId');
        const count = await this.revokeMany(userId, 'others', keepSessionId);
        this.metrics?.sessionsRevoked.inc({ scope: 'others' }, count);
        scope.set({ 'rnh.sessions.count': count });
        return count;
      },
    );
  }

  /** Revokes every session of the user (e.g. on password change); returns how many were deleted. */
  revokeAll(userId: string): Promise<number> {
    return runOperation(this.op, 'sessions.revoke_all', { 'rnh.revoke.scope': 'all' }, async (scope) => {
      assertTaggableId(userId, 'userId');
      const count = await this.revokeMany(userId, 'all', '');
      this.metrics?.sessionsRevoked.inc({ scope: 'all' }, count);
      scope.set({ 'rnh.sessions.count': count });
      return count;
    });
  }

  /**
   * Maintenance for a scheduled job: walks every per-user index of this keyspace
   * (SCAN on every master, MATCH on the index prefix) and removes entries whose
   * session key is gone (expired, deleted, destroyed: a tombstone is no session),
   * as `list` does; an index left empty disappears. Entries of live sessions are
   * never removed: an entry goes only if it still holds the value read before its
   * session was found missing (a session saved again meanwhile rewrote it).
   * Bounded by `maxKeys` and `signal`; continue a stopped pass with the returned
   * `cursor`. Two runs at once are safe (each entry is counted by the run that
   * removed it). Revocation markers (`:revoked`) are not touched.
   */
  prune(options?: PruneOptions): Promise<PruneResult> {
    return runPrune(
      {
        operation: 'sessions.prune',
        redis: this.redis,
        logger: this.logger,
        metrics: this.metrics,
        kind: 'session_index_entry',
        pattern: entriesKeyPattern(this.keys),
        type: 'hash',
        timeoutMs: this.op.timeoutMs,
        pruneKey: (key, settings) => this.pruneEntries(key, settings.batchSize),
      },
      options,
    );
  }

  /**
   * Used by RedisSessionStore when a session is saved new or for another user,
   * and at most once per its lastSeenIntervalSeconds while the session is used:
   * records the session with its device and lastSeenAt. Returns false (nothing
   * written) when the index says the session was revoked. `createdUs` is the
   * session's creation time (Redis µs).
   */
  async record(userId: string, sessionId: string, device: DeviceInput, createdUs: string): Promise<boolean> {
    const createdAt = device.createdAt ?? Math.floor(Number(createdUs) / 1000);
    const recorded = await runScript(
      this.recordScript,
      this.redis,
      [entriesKey(this.keys, userId), revokedKey(this.keys, userId)],
      [sessionId, device.userAgent ?? '', device.ipPrefix ?? '', createdAt, createdUs, this.retentionMs],
    );
    return recorded === 1;
  }

  /** Used by RedisSessionStore when it deletes a session: removes the entry, with a revocation marker when `revoked`. */
  async forget(userId: string, sessionId: string, options: { revoked: boolean }): Promise<void> {
    if (options.revoked) await this.mark(userId, '', '', [sessionId], []);
    else await this.redis.hdel(entriesKey(this.keys, userId), sessionId);
  }

  /** Whether each session key exists (a sid that cannot be a session id: false). The one liveness rule of list and prune. */
  private sessionsAlive(sids: string[]): Promise<boolean[]> {
    return Promise.all(
      sids.map((sid) =>
        isTaggableId(sid)
          ? this.redis.exists(sessionKey(this.sessionKeys, sid)).then((count) => count === 1)
          : Promise.resolve(false),
      ),
    );
  }

  /** Compare-and-delete of entries seen dead (REMOVE_DEAD_ENTRIES). */
  private async removeDead(key: string, entries: Array<[string, string]>): Promise<RemoveReply> {
    return (await runScript(this.removeDeadScript, this.redis, [key], entries.flat())) as RemoveReply;
  }

  /** One index key, page by page (HSCAN): removes entries whose session is gone. */
  private async pruneEntries(
    key: string,
    batchSize: number,
  ): Promise<{ pruned: number; removedKey: boolean }> {
    const timed = <T>(promise: Promise<T>) => withTimeout(promise, this.op.timeoutMs, 'sessions.prune');
    let cursor = '0';
    let pruned = 0;
    let removedKey = false;
    do {
      const [next, flat] = await timed(this.redis.hscan(key, cursor, 'COUNT', batchSize));
      cursor = next;
      const pairs: Array<[string, string]> = [];
      for (let index = 0; index + 1 < flat.length; index += 2)
        pairs.push([flat[index] as string, flat[index + 1] as string]);
      if (pairs.length === 0) continue;
      const alive = await timed(this.sessionsAlive(pairs.map(([sid]) => sid)));
      const dead = pairs.filter((_pair, index) => !alive[index]);
      if (dead.length === 0) continue;
      const [removed, remaining] = await timed(this.removeDead(key, dead));
      pruned += removed;
      if (removed > 0 && remaining === 0) removedKey = true;
    } while (cursor !== '0');
    return { pruned, removedKey };
  }

  private async revokeMany(userId: string, mode: 'all' | 'others', keep: string): Promise<number> {
    // The cutoff first: from here on, any session of this user created up to now fails to load,
    // including ones the index does not list; sessions created later (a new login) are not touched.
    const cutoff = await this.mark(userId, mode, keep, [], []);
    const sids = (await this.redis.hkeys(entriesKey(this.keys, userId))).filter((sid) => sid !== keep);
    const replies = await Promise.all(
      sids.map((sid) =>
        isTaggableId(sid)
          ? (runScript(
              this.destroyScript,
              this.redis,
              [sessionKey(this.sessionKeys, sid), tombstoneKey(this.sessionKeys, sid)],
              [this.tombstoneMs, userId, cutoff],
            ) as Promise<DestroyReply>)
          : Promise.resolve<DestroyReply>([0, '']),
      ),
    );
    const deleted: string[] = [];
    const gone: string[] = [];
    sids.forEach((sid, index) => {
      const [removed, owner] = replies[index] ?? [0, ''];
      if (removed === 1) deleted.push(sid);
      else if (owner !== userId) gone.push(sid); // expired, or not this user's: a stale entry
      // else: this user's session created after the cutoff (a new login): keep it
    });
    // The cutoff covers the deleted sessions, so their entries go without per-sid markers.
    if (deleted.length + gone.length > 0) await this.mark(userId, '', '', [], [...deleted, ...gone]);
    if (gone.length > 0)
      this.logger.debug(
        { operation: `sessions.revoke_${mode}`, stale: gone.length },
        'removed stale session index entries',
      );
    return deleted.length;
  }

  private async mark(
    userId: string,
    mode: '' | 'all' | 'others',
    keep: string,
    marked: string[],
    forgotten: string[],
  ): Promise<string> {
    const reply = await runScript(
      this.markScript,
      this.redis,
      [entriesKey(this.keys, userId), revokedKey(this.keys, userId)],
      [this.retentionMs, mode, keep, marked.length, ...marked, ...forgotten],
    );
    return String(reply);
  }
}

function parseDevice(raw: string | undefined): SessionDevice | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<SessionDevice>;
    if (typeof value.createdAt !== 'number' || typeof value.lastSeenAt !== 'number') return undefined;
    const device: SessionDevice = { createdAt: value.createdAt, lastSeenAt: value.lastSeenAt };
    if (typeof value.userAgent === 'string') device.userAgent = value.userAgent;
    if (typeof value.ipPrefix === 'string') device.ipPrefix = value.ipPrefix;
    return device;
  } catch {
    return undefined;
  }
}
