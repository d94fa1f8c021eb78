import {
  sendInTurn,
  type Keyspace,
  type Logger,
  type RedisClient,
  type RedisScript,
} from '@rnh/redis-client';
import session, { type SessionData } from 'express-session';
import { SessionsArgumentError } from '../errors.js';
import type { SessionIndex } from '../user-index/session-index.js';
import { settle } from '../internal/callback.js';
import {
  runOperation,
  withTimeout,
  type OperationContext,
  type OperationScope,
} from '../internal/operation.js';
import { scanBatches, unlinkKeys } from '../internal/redis.js';
import { defineScript, runScript } from '../internal/scripts.js';
import {
  DEFAULTS,
  isTaggableId,
  nonNegativeMs,
  nonNegativeSeconds,
  positiveSeconds,
} from '../internal/validate.js';
import { ActiveSessionsSampler } from '../metrics/active-sessions.js';
import type { SessionMetrics } from '../metrics/session-metrics.js';
import type { RedisSessionStoreDeps, RedisSessionStoreOptions } from '../types.js';
import { DEFAULT_KEY_PREFIXES } from '../defaults.js';
import { resolveDeps } from '../internal/deps.js';

import { deviceOf, userIdOf } from './device.js';
import { sessionKey, sessionKeyPattern, sidFromSessionKey, storeKeyPattern, tombstoneKey } from './keys.js';
import { DESTROY_SESSION, MARK_SEEN, SET_SESSION, TOUCH_SESSION } from './scripts.js';
import { RecentSessions } from './recent-sessions.js';
import { idleTtlMs } from './ttl.js';

type ErrorCallback = (error?: unknown) => void;
type SetReply = [number, number?, string?, string?, number?];
type DestroyReply = [number, string];

const SCAN_COUNT = 500;
// Sessions remembered for touches: a touch follows its request's read within milliseconds, so
// this covers that many requests in flight, at ~150 bytes each.
const RECENT_SESSIONS_KEPT = 10_000;
// A touch that would move the expiry by less than this fraction of the idle TTL (and less than
// lastSeenIntervalSeconds) is skipped: a burst of requests refreshes it once, and a session is
// never signed out sooner than its idle TTL minus that.
const TOUCH_SLACK_OF_IDLE = 0.001;
const DONE: Promise<void> = Promise.resolve();
// A touch sets the idle TTL with PEXPIRE only while the absolute deadline is at least this much
// further away by this process's clock; nearer, it sets the deadline itself (PEXPIREAT, exact in
// Redis time). So a clock behind Redis's by less than this never stretches the absolute lifetime.
const DEADLINE_CLOCK_MARGIN_MS = 1000;

/**
 * express-session store on Redis. Each session is one hash under `{sid}` with an
 * idle TTL from the cookie, capped by an absolute lifetime from its first save
 * (Redis time). `destroy` leaves a tombstone that the `set` script honours, so a
 * slow request finishing after logout cannot bring the session back. Redis
 * errors and timeouts reach express-session as SessionStoreUnavailableError
 * (answer 503), never as "no session".
 *
 * Every method takes express-session's callback, or returns a promise without one.
 */
export class RedisSessionStore extends session.Store {
  private readonly redis: RedisClient;
  private readonly keys: Keyspace;
  private readonly logger: Logger;
  private readonly metrics: SessionMetrics | undefined;
  private readonly index: SessionIndex | undefined;
  private readonly defaultIdleMs: number;
  private readonly absoluteMs: number;
  private readonly tombstoneMs: number;
  private readonly timeoutMs: number;
  private readonly op: OperationContext;
  private readonly bulkOp: OperationContext;
  private readonly setScript: RedisScript;
  private readonly touchScript: RedisScript;
  private readonly destroyScript: RedisScript;
  private readonly markSeenScript: RedisScript;
  private readonly lastSeenIntervalMs: number;
  private readonly recent = new RecentSessions(RECENT_SESSIONS_KEPT);
  private readonly untrack: () => void;

  constructor(deps: RedisSessionStoreDeps, options: RedisSessionStoreOptions = {}) {
    super();
    const resolved = resolveDeps(deps, DEFAULT_KEY_PREFIXES.sessions);
    this.redis = resolved.redis;
    this.keys = resolved.keys;
    this.logger = resolved.logger;
    this.metrics = resolved.metrics;
    this.index = deps.index;
    this.defaultIdleMs = Math.round(
      positiveSeconds(options.defaultTtlSeconds, DEFAULTS.idleTtlSeconds, 'defaultTtlSeconds') * 1000,
    );
    this.absoluteMs = Math.round(
      positiveSeconds(options.absoluteTtlSeconds, DEFAULTS.absoluteTtlSeconds, 'absoluteTtlSeconds') * 1000,
    );
    this.tombstoneMs = Math.round(
      positiveSeconds(options.tombstoneTtlSeconds, DEFAULTS.tombstoneTtlSeconds, 'tombstoneTtlSeconds') *
        1000,
    );
    this.timeoutMs = nonNegativeMs(
      options.operationTimeoutMs,
      DEFAULTS.operationTimeoutMs,
      'operationTimeoutMs',
    );
    this.lastSeenIntervalMs = Math.round(
      nonNegativeSeconds(
        options.lastSeenIntervalSeconds,
        DEFAULTS.lastSeenIntervalSeconds,
        'lastSeenIntervalSeconds',
      ) * 1000,
    );
    this.op = { logger: this.logger, timeoutMs: this.timeoutMs, tracer: resolved.tracer };
    // SCAN-based operations can take many calls: each Redis call is timed instead of the whole.
    this.bulkOp = { logger: this.logger, timeoutMs: 0, tracer: resolved.tracer };
    this.setScript = defineScript(SET_SESSION, deps.scripts);
    this.touchScript = defineScript(TOUCH_SESSION, deps.scripts);
    this.destroyScript = defineScript(DESTROY_SESSION, deps.scripts);
    this.markSeenScript = defineScript(MARK_SEEN, deps.scripts);
    this.untrack = this.metrics
      ? this.metrics.trackActiveSessions(
          this.keys.prefix,
          new ActiveSessionsSampler({
            client: this.redis,
            pattern: sessionKeyPattern(this.keys),
            cacheMs: nonNegativeMs(
              options.activeSampleCacheMs,
              DEFAULTS.activeSampleCacheMs,
              'activeSampleCacheMs',
            ),
            timeoutMs: this.timeoutMs,
            logger: this.logger,
          }),
        )
      : () => undefined;
  }

  override get(sid: string): Promise<SessionData | null>;
  override get(sid: string, callback: (error: unknown, session?: SessionData | null) => void): void;
  override get(
    sid: string,
    callback?: (error: unknown, session?: SessionData | null) => void,
  ): Promise<SessionData | null> | void {
    return settle(this.readSession(sid), callback);
  }

  override set(sid: string, session: SessionData): Promise<void>;
  override set(sid: string, session: SessionData, callback: ErrorCallback): void;
  override set(sid: string, session: SessionData, callback?: ErrorCallback): Promise<void> | void {
    return settle(this.writeSession(sid, session), callback);
  }

  override touch(sid: string, session: SessionData): Promise<void>;
  override touch(sid: string, session: SessionData, callback: ErrorCallback): void;
  override touch(sid: string, session: SessionData, callback?: ErrorCallback): Promise<void> | void {
    return settle(this.touchSession(sid, session), callback);
  }

  override destroy(sid: string): Promise<void>;
  override destroy(sid: string, callback: ErrorCallback): void;
  override destroy(sid: string, callback?: ErrorCallback): Promise<void> | void {
    return settle(this.destroySession(sid), callback);
  }

  /** Every stored session (with its `id`), found by SCAN inside the store's keyspace. */
  override all(): Promise<SessionData[]>;
  override all(callback: (error: unknown, sessions?: SessionData[]) => void): void;
  override all(callback?: (error: unknown, sessions?: SessionData[]) => void): Promise<SessionData[]> | void {
    return settle(this.allSessions(), callback);
  }

  override length(): Promise<number>;
  override length(callback: (error: unknown, length?: number) => void): void;
  override length(callback?: (error: unknown, length?: number) => void): Promise<number> | void {
    return settle(
      runOperation(this.bulkOp, 'sessions.length', {}, async (scope) => {
        const count = (await this.sessionIds('sessions.length')).size;
        scope.set({ 'rnh.sessions.count': count });
        return count;
      }),
      callback,
    );
  }

  /** Session ids (as connect-redis offers it). */
  ids(): Promise<string[]>;
  ids(callback: (error: unknown, ids?: string[]) => void): void;
  ids(callback?: (error: unknown, ids?: string[]) => void): Promise<string[]> | void {
    return settle(
      runOperation(this.bulkOp, 'sessions.ids', {}, async (scope) => {
        const ids = [...(await this.sessionIds('sessions.ids'))];
        scope.set({ 'rnh.sessions.count': ids.length });
        return ids;
      }),
      callback,
    );
  }

  /** Deletes every session and tombstone of this store (SCAN + UNLINK in batches, only inside its keyspace). */
  override clear(): Promise<void>;
  override clear(callback: ErrorCallback): void;
  override clear(callback?: ErrorCallback): Promise<void> | void {
    return settle(
      runOperation(this.bulkOp, 'sessions.clear', {}, async (scope) => {
        let removed = 0;
        for await (const batch of scanBatches(this.redis, storeKeyPattern(this.keys), {
          count: SCAN_COUNT,
          timeoutMs: this.timeoutMs,
          operation: 'sessions.clear',
        })) {
          removed += await unlinkKeys(this.redis, batch, this.timeoutMs, 'sessions.clear');
        }
        scope.set({ 'rnh.sessions.count': removed });
      }),
      callback,
    );
  }

  /** Stops contributing to `sessions_active`. The Redis connection is the caller's and stays open. */
  close(): void {
    this.untrack();
  }

  /**
   * One HMGET. With an index, a signed-in session whose activity was last recorded more than
   * lastSeenIntervalSeconds ago is recorded now (index lastSeenAt, with the revocation check a
   * session missing from the index needs); every other read writes nothing.
   */
  private readSession(sid: string): Promise<SessionData | null> {
    return runOperation(this.op, 'sessions.get', undefined, (scope) => {
      if (!isTaggableId(sid)) {
        scope.set({ 'rnh.session.found': false });
        scope.outcome('invalid_id');
        return Promise.resolve(null);
      }
      const key = sessionKey(this.keys, sid);
      const fields = sendInTurn(this.redis, 'hmget', [key, 'd', 'c', 'u', 's']) as Promise<
        Array<string | null>
      >;
      return fields.then((found) => this.loaded(scope, sid, key, found));
    });
  }

  /** What a read found: the session, or null; first its activity record when one is due. */
  private loaded(
    scope: OperationScope,
    sid: string,
    key: string,
    [data, created, userId, seenMs]: Array<string | null>,
  ): SessionData | null | Promise<SessionData | null> {
    if (data === null || data === undefined) {
      scope.set({ 'rnh.session.found': false });
      return null;
    }
    let parsed: SessionData;
    try {
      parsed = JSON.parse(data) as SessionData;
    } catch {
      this.logger.warn(
        { operation: 'sessions.get' },
        'stored session is not valid JSON; treating it as absent',
      );
      scope.set({ 'rnh.session.found': false });
      scope.outcome('corrupt');
      return null;
    }
    if (created) this.recent.read(sid, created);
    if (this.index && userId && created && isTaggableId(userId) && this.activityDue(seenMs))
      return this.recordActivity(scope, sid, key, userId, created, parsed);
    scope.set({ 'rnh.session.found': true });
    return parsed;
  }

  private async recordActivity(
    scope: OperationScope,
    sid: string,
    key: string,
    userId: string,
    created: string,
    session: SessionData,
  ): Promise<SessionData | null> {
    scope.set({ 'rnh.session.activity_recorded': true });
    const [recorded] = await Promise.all([
      this.index!.record(userId, sid, deviceOf(session), created),
      runScript(this.markSeenScript, this.redis, [key], []),
    ]);
    if (!recorded) {
      // Revoked while this copy survived (the index missed it, or a late request wrote it back).
      await this.dropRevoked(sid, scope);
      scope.set({ 'rnh.session.found': false });
      scope.outcome('revoked');
      return null;
    }
    scope.set({ 'rnh.session.found': true });
    return session;
  }

  private writeSession(sid: string, session: SessionData): Promise<void> {
    return runOperation(this.op, 'sessions.set', {}, async (scope) => {
      if (!isTaggableId(sid))
        throw new SessionsArgumentError(
          'session id must be a non-empty string of at most 256 characters without braces',
        );
      const userId = userIdOf(session);
      let json: string;
      try {
        json = JSON.stringify(session);
      } catch {
        throw new SessionsArgumentError('session data is not JSON-serializable');
      }
      const indexed = this.index !== undefined && userId !== undefined && isTaggableId(userId);
      const key = sessionKey(this.keys, sid);
      const reply = (await runScript(
        this.setScript,
        this.redis,
        [key, tombstoneKey(this.keys, sid)],
        [
          json,
          idleTtlMs(session, this.defaultIdleMs),
          this.absoluteMs,
          userId ?? '',
          indexed ? this.lastSeenIntervalMs : '',
        ],
      )) as SetReply;
      const [status, isNew, created = '', previousUser = '', due = 0] = reply;
      scope.set({ 'rnh.session.new': isNew === 1, 'rnh.session.authenticated': userId !== undefined });
      if (status === 0) {
        // Destroyed meanwhile (logout, revoke): a late save must not resurrect it.
        scope.outcome('refused_destroyed');
        this.logger.debug({ operation: 'sessions.set' }, 'save of a destroyed session refused');
        return;
      }
      if (status === -1) {
        this.recent.forget(sid);
        scope.outcome('expired');
        if (this.index && previousUser && isTaggableId(previousUser))
          await this.index.forget(previousUser, sid, { revoked: false });
        return;
      }
      this.recent.saved(sid, created);
      if (isNew === 1) this.metrics?.sessionsCreated.inc();
      if (!this.index) return;
      if (previousUser && previousUser !== userId && isTaggableId(previousUser)) {
        await this.index.forget(previousUser, sid, { revoked: false });
      }
      if (userId !== undefined && !isTaggableId(userId)) {
        this.logger.warn(
          { operation: 'sessions.set' },
          'session userId cannot be indexed (empty, too long or has braces)',
        );
        return;
      }
      // The script said: new, another user, or the interval is over (and noted the activity).
      if (userId === undefined || due !== 1) return;
      scope.set({ 'rnh.session.activity_recorded': true });
      let recorded: boolean;
      try {
        recorded = await this.index.record(userId, sid, deviceOf(session), created);
      } catch (error) {
        // Not recorded after all: the next load must not take the session for recently recorded.
        await this.redis.hdel(key, 's').catch(() => undefined);
        throw error;
      }
      if (!recorded) await this.dropRevoked(sid, scope);
    });
  }

  /**
   * express-session's touch after a read that changed nothing. With what this process knows of
   * the session (its last read, save or touch): nothing when the expiry would hardly move (its
   * last touch here was a moment ago with the same idle TTL, or set the absolute deadline), else one PEXPIRE (the
   * idle TTL) or PEXPIREAT (the absolute deadline, when that comes first). Without, or near the
   * end: the TOUCH_SESSION script, in Redis time.
   */
  private touchSession(sid: string, session: SessionData): Promise<void> {
    if (!isTaggableId(sid)) return DONE;
    const idleMs = idleTtlMs(session, this.defaultIdleMs);
    const recent = this.recent.get(sid);
    if (recent && idleMs > 0 && recent.expiresAt > 0) {
      const slackMs = Math.min(this.lastSeenIntervalMs, idleMs * TOUCH_SLACK_OF_IDLE);
      const target = Math.min(Date.now() + idleMs, this.deadlineOf(recent.createdUs));
      // The same idle TTL as the last touch here (up to the ms the cookie's maxAge drifts by),
      // and an expiry that would hardly move: nothing to ask Redis, so no span either.
      if (Math.abs(idleMs - recent.idleMs) <= slackMs && recent.expiresAt >= target - slackMs) return DONE;
    }
    return runOperation(this.op, 'sessions.touch', undefined, async (scope) => {
      const key = sessionKey(this.keys, sid);
      const sentAt = Date.now();
      const deadlineMs = recent ? this.deadlineOf(recent.createdUs) : Number.NaN;
      const leftMs = deadlineMs - sentAt;
      let status: number;
      if (recent && idleMs > 0 && leftMs >= idleMs + DEADLINE_CLOCK_MARGIN_MS) {
        status = (await sendInTurn(this.redis, 'pexpire', [key, idleMs])) as number;
        if (status === 1) this.recent.touched(sid, recent.createdUs, sentAt + idleMs, idleMs);
      } else if (recent && idleMs > 0 && leftMs > DEADLINE_CLOCK_MARGIN_MS) {
        status = (await sendInTurn(this.redis, 'pexpireat', [key, deadlineMs])) as number;
        if (status === 1) this.recent.touched(sid, recent.createdUs, deadlineMs, idleMs);
      } else {
        status = (await runScript(this.touchScript, this.redis, [key], [idleMs, this.absoluteMs])) as number;
      }
      scope.set({ 'rnh.session.found': status === 1 });
      if (status !== 1) {
        this.recent.forget(sid);
        scope.outcome(status === 0 ? 'missing' : 'expired');
      }
    });
  }

  /** The absolute deadline (epoch ms, Redis time) of a session created at `createdUs`. */
  private deadlineOf(createdUs: string): number {
    return Math.floor(Number(createdUs) / 1000) + this.absoluteMs;
  }

  private activityDue(seenMs: string | null | undefined): boolean {
    if (seenMs === null || seenMs === undefined) return true;
    // Not `>=`: a value that is not a number (NaN) is due too.
    return !(Date.now() - Number(seenMs) < this.lastSeenIntervalMs);
  }

  private destroySession(sid: string): Promise<void> {
    return runOperation(this.op, 'sessions.destroy', {}, async (scope) => {
      if (!isTaggableId(sid)) return;
      this.recent.forget(sid);
      const [deleted, userId] = (await runScript(
        this.destroyScript,
        this.redis,
        [sessionKey(this.keys, sid), tombstoneKey(this.keys, sid)],
        [this.tombstoneMs, '', ''],
      )) as DestroyReply;
      scope.set({ 'rnh.session.found': deleted === 1 });
      if (deleted === 1) this.metrics?.sessionsDestroyed.inc();
      if (this.index && userId && isTaggableId(userId))
        await this.index.forget(userId, sid, { revoked: true });
    });
  }

  private allSessions(): Promise<SessionData[]> {
    return runOperation(this.bulkOp, 'sessions.all', {}, async (scope) => {
      const sessions: SessionData[] = [];
      for (const batch of chunk([...(await this.sessionIds('sessions.all'))], SCAN_COUNT)) {
        const values = await withTimeout(
          Promise.all(batch.map((sid) => this.redis.hget(sessionKey(this.keys, sid), 'd'))),
          this.timeoutMs,
          'sessions.all',
        );
        values.forEach((value, index) => {
          if (value === null) return; // expired since the scan
          try {
            sessions.push({ ...(JSON.parse(value) as SessionData), id: batch[index] } as SessionData);
          } catch {
            this.logger.warn({ operation: 'sessions.all' }, 'stored session is not valid JSON; skipped');
          }
        });
      }
      scope.set({ 'rnh.sessions.count': sessions.length });
      return sessions;
    });
  }

  private async sessionIds(operation: string): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const batch of scanBatches(this.redis, sessionKeyPattern(this.keys), {
      count: SCAN_COUNT,
      timeoutMs: this.timeoutMs,
      operation,
    })) {
      for (const key of batch) ids.add(sidFromSessionKey(this.keys, key));
    }
    return ids;
  }

  private async dropRevoked(sid: string, scope: OperationScope): Promise<void> {
    this.recent.forget(sid);
    await runScript(
      this.destroyScript,
      this.redis,
      [sessionKey(this.keys, sid), tombstoneKey(this.keys, sid)],
      [this.tombstoneMs, '', ''],
    );
    scope.outcome('refused_revoked');
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}
