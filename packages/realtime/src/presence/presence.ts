import {
  type Keyspace,
  type Logger,
  type RedisClient,
  type RedisPackageDeps,
  RedisScript,
  getOrCreateMetric,
  publishCommandFor,
  silentLogger,
  toKeyspace,
  withDeadline,
} from '@rnh/redis-client';
import { Gauge } from 'prom-client';
import {
  DEFAULT_KEY_PREFIX,
  DEFAULT_MAX_CONNECTIONS_PER_USER,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_PRESENCE_SWEEP_BATCH,
  DEFAULT_PRESENCE_TTL_MS,
} from '../defaults.js';
import { RealtimeArgumentError } from '../errors.js';
import { checkId } from '../internal/ids.js';
import { callRedis } from '../internal/redis-call.js';
import { positiveInteger } from '../internal/validate.js';
import { metricsFor, type RealtimeMetricsSink } from '../metrics.js';
import { announcingScripts, QUERY } from './scripts.js';

/** The online-users gauge reads Redis at most this often, and waits at most this long. */
const ONLINE_SAMPLE_CACHE_MS = 5000;
const ONLINE_SAMPLE_TIMEOUT_MS = 500;

export interface PresenceOptions {
  /** A connection not renewed for this long is gone (its process died). Default 30 s. */
  ttlMs?: number;
  /** Live connections one user may have across every process; 0 for no limit. Default 5. */
  maxConnectionsPerUser?: number;
  /** A Redis call slower than this fails with RealtimeUnavailableError. Default 2,000 ms. */
  operationTimeoutMs?: number;
}

/** What a presence channel carries: a member of the organization came online or went offline. */
export interface PresenceChange {
  userId: string;
  online: boolean;
}

/**
 * Who is online, per user and per organization, from connections that renew themselves: sorted
 * sets scored by expiry (Redis's clock), so every question is O(log n) and a process that dies
 * leaves its users online only until their connections expire. Changes are published on each
 * organization's presence channel by the same script that makes them.
 */
export class Presence {
  readonly ttlMs: number;
  readonly maxConnectionsPerUser: number;
  private readonly redis: RedisClient;
  private readonly keys: Keyspace;
  private readonly base: string;
  private readonly onlineKey: string;
  private readonly logger: Logger;
  private readonly metrics: RealtimeMetricsSink;
  private readonly timeoutMs: number;
  private onlineSample: { value: number; at: number } | undefined;
  private onlineSampling: Promise<number | undefined> | undefined;
  private readonly scripts: Record<'connect' | 'disconnect' | 'sweep' | 'query', RedisScript>;

  constructor(deps: RedisPackageDeps, options: PresenceOptions = {}) {
    this.redis = deps.redis;
    const announcing = announcingScripts(publishCommandFor(deps.redis));
    this.scripts = {
      connect: new RedisScript(announcing.connect),
      disconnect: new RedisScript(announcing.disconnect),
      sweep: new RedisScript(announcing.sweep),
      query: new RedisScript(QUERY),
    };
    this.keys = toKeyspace(deps.keys, DEFAULT_KEY_PREFIX);
    this.base = this.keys.key('presence', '{presence}');
    this.onlineKey = `${this.base}:online`;
    this.logger = deps.logger ?? silentLogger();
    this.metrics = metricsFor(deps.registry);
    this.metrics.startPresenceSeries();
    this.ttlMs = positiveInteger('ttlMs', options.ttlMs ?? DEFAULT_PRESENCE_TTL_MS);
    const limit = options.maxConnectionsPerUser ?? DEFAULT_MAX_CONNECTIONS_PER_USER;
    if (!Number.isInteger(limit) || limit < 0) {
      throw new RealtimeArgumentError(`maxConnectionsPerUser must be an integer >= 0 (got ${limit})`);
    }
    this.maxConnectionsPerUser = limit;
    this.timeoutMs = positiveInteger(
      'operationTimeoutMs',
      options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
    );
    if (deps.registry) this.registerOnlineGauge(deps.registry);
  }

  /**
   * The channel on which an organization's presence changes are published (JSON PresenceChange).
   * It carries the {presence} hash tag, so the scripts can SPUBLISH it on a Cluster.
   */
  channelOf(orgId: string): string {
    return this.channelPrefix() + checkId('orgId', orgId);
  }

  /**
   * Records a new connection of `userId` (a member of `orgIds`). Resolves `accepted: false` when the
   * user already has `maxConnectionsPerUser` live connections; `cameOnline` when it is their first.
   */
  async connect(
    userId: string,
    connectionId: string,
    orgIds: readonly string[] = [],
  ): Promise<{ accepted: boolean; cameOnline: boolean }> {
    const result = await this.upsert(userId, connectionId, orgIds, this.maxConnectionsPerUser);
    return { accepted: result !== -1, cameOnline: result === 1 };
  }

  /** Renews a connection (every heartbeat). True when the user had been taken offline meanwhile and is back. */
  async renew(userId: string, connectionId: string, orgIds: readonly string[] = []): Promise<boolean> {
    return (await this.upsert(userId, connectionId, orgIds, 0)) === 1;
  }

  /** Removes a connection; true when it was the user's last one (they went offline). */
  async disconnect(userId: string, connectionId: string): Promise<boolean> {
    const result = await this.call(
      this.scripts.disconnect.run(
        this.redis,
        [this.onlineKey],
        [this.base, checkId('userId', userId), checkId('connectionId', connectionId), this.channelPrefix()],
      ),
      'disconnect',
    );
    if (result === 1) this.metrics.presenceChanges.inc({ change: 'offline' });
    return result === 1;
  }

  /** Takes users whose connections all expired off every set (at most `batch`); resolves with them. */
  async sweep(batch = DEFAULT_PRESENCE_SWEEP_BATCH): Promise<string[]> {
    const gone = (await this.call(
      this.scripts.sweep.run(
        this.redis,
        [this.onlineKey],
        [this.base, this.channelPrefix(), positiveInteger('batch', batch)],
      ),
      'sweep',
    )) as string[];
    if (gone.length > 0) this.metrics.presenceChanges.inc({ change: 'offline' }, gone.length);
    return gone.map(String);
  }

  async isOnline(userId: string): Promise<boolean> {
    return (await this.query(this.onlineKey, ['is', checkId('userId', userId)])) === 1;
  }

  /** Users online, in all or in one organization: O(log n). */
  async onlineCount(orgId?: string): Promise<number> {
    return Number(await this.query(this.setOf(orgId), ['count']));
  }

  /** A page of the users online (in all or in one organization), in order of expiry. */
  async listOnline(options: { orgId?: string; offset?: number; limit?: number } = {}): Promise<string[]> {
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 100;
    if (!Number.isInteger(offset) || offset < 0)
      throw new RealtimeArgumentError(`offset must be an integer >= 0 (got ${offset})`);
    positiveInteger('limit', limit);
    const users = (await this.query(this.setOf(options.orgId), ['list', offset, limit])) as unknown[];
    return users.map(String);
  }

  private async upsert(
    userId: string,
    connectionId: string,
    orgIds: readonly string[],
    limit: number,
  ): Promise<number> {
    const args = [
      this.base,
      checkId('userId', userId),
      checkId('connectionId', connectionId),
      this.ttlMs,
      limit,
      this.channelPrefix(),
      ...orgIds.map((orgId) => checkId('orgId', orgId)),
    ];
    const result = Number(
      await this.call(this.scripts.connect.run(this.redis, [this.onlineKey], args), 'connect'),
    );
    if (result === 1) this.metrics.presenceChanges.inc({ change: 'online' });
    return result;
  }

  private query(key: string, args: Array<string | number>): Promise<unknown> {
    return this.call(this.scripts.query.run(this.redis, [key], args), 'query');
  }

  private setOf(orgId: string | undefined): string {
    return orgId === undefined ? this.onlineKey : `${this.base}:org:${checkId('orgId', orgId)}`;
  }

  private channelPrefix(): string {
    return `${this.base}:changes:`;
  }

  private call<T>(work: Promise<T>, operation: string): Promise<T> {
    return callRedis(work, this.timeoutMs, this.logger, `presence ${operation}`);
  }

  /**
   * The online count for the gauge: read at most once per 5 s (every scrape of every instance
   * would otherwise ask), and given up after 500 ms so a scrape never waits on a slow Redis.
   * Undefined when Redis did not answer: the series is then absent, not a misleading 0.
   */
  private sampleOnlineCount(): Promise<number | undefined> {
    if (this.onlineSample && Date.now() - this.onlineSample.at < ONLINE_SAMPLE_CACHE_MS) {
      return Promise.resolve(this.onlineSample.value);
    }
    this.onlineSampling ??= withDeadline(
      this.scripts.query.run(this.redis, [this.onlineKey], ['count']),
      ONLINE_SAMPLE_TIMEOUT_MS,
      () => new Error('timed out'),
    )
      .then(
        (count) => {
          this.onlineSample = { value: Number(count), at: Date.now() };
          return this.onlineSample.value;
        },
        () => undefined,
      )
      .finally(() => {
        this.onlineSampling = undefined;
      });
    return this.onlineSampling;
  }

  /** Users online across every process, read from Redis at scrape time (the same number on every instance). */
  private registerOnlineGauge(registry: NonNullable<RedisPackageDeps['registry']>): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const presence = this;
    getOrCreateMetric(
      registry,
      'realtime_online_users',
      () =>
        new Gauge({
          name: 'realtime_online_users',
          help: 'Users with at least one live connection, across every process (read from Redis at scrape time, cached 5 s).',
          registers: [registry],
          async collect() {
            const count = await presence.sampleOnlineCount();
            if (count === undefined) this.reset();
            else this.set(count);
          },
        }),
    );
  }
}
