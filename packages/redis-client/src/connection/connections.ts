import { describeTarget, formatHostPort } from '../config/describe.js';
import { RedisClientError, RedisClosedError } from '../errors.js';
import { keyspace } from '../keyspace.js';
import { createRedisClientMetrics, type RedisClientMetrics } from '../metrics/client-metrics.js';
import { instrumentClient } from '../metrics/instrument.js';
import { RedisServerInfoSampler } from '../metrics/server-info-sampler.js';
import { registerServerInfoMetrics } from '../metrics/server-metrics.js';
import type {
  ConnectionEntry,
  Keyspace,
  Logger,
  RedisClient,
  RedisConnectionsDeps,
  RedisHealth,
  RedisOptions,
  RedisRole,
} from '../types.js';
import { closeRedis } from './close.js';
import { connectRedis } from './connect.js';
import { createRedis } from './create-redis.js';
import { pingRedis } from './health.js';
import { SentinelSwitchFollower } from './sentinel-switch.js';

type SharedRole = 'commands' | 'subscriber' | 'producer';

interface Entry extends ConnectionEntry {
  owned: boolean;
  detach: () => void;
}

const POOL_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The app's Redis connections: one shared connection per role, dedicated ones
 * on request, metrics and logging for all of them, and one shutdown.
 * Connections are created on first use, never in the constructor.
 */
export class RedisConnections {
  readonly options: RedisOptions;
  readonly keys: Keyspace;
  private readonly logger: Logger;
  private readonly metrics: RedisClientMetrics | undefined;
  private readonly entries: Entry[] = [];
  private readonly sharedByRole = new Map<SharedRole, RedisClient>();
  private readonly unregister: Array<() => void> = [];
  private closing: Promise<void> | undefined;
  /** Sentinel mode: moves the connections to a new master as soon as a Sentinel announces it. */
  private switchFollower: SentinelSwitchFollower | undefined;

  constructor(deps: RedisConnectionsDeps) {
    this.options = deps.options;
    this.logger = deps.logger;
    this.keys = keyspace(deps.options.keyPrefix);
    if (deps.registry) {
      this.metrics = createRedisClientMetrics(deps.registry);
      this.unregister.push(this.metrics.addSource(() => this.entries));
      const sampler = new RedisServerInfoSampler({
        client: () => this.shared('commands'),
        cacheMs: deps.serverInfoCacheMs ?? 5000,
        // Label when INFO cannot name the node itself: cluster masters are labelled host:port per node.
        node: serverNodeLabel(this.options),
      });
      this.unregister.push(registerServerInfoMetrics(deps.registry, sampler));
    }
  }

  /** The shared connection for a role (pool label = role), created on first use. */
  shared(role: SharedRole): RedisClient {
    this.assertOpen();
    let client = this.sharedByRole.get(role);
    if (!client) {
      client = this.open(role, role, `rnh:${role}`);
      this.sharedByRole.set(role, client);
    }
    return client;
  }

  /** A new connection owned (and closed) by this registry, e.g. one per BullMQ worker. */
  create(role: RedisRole, pool: string): RedisClient {
    this.assertOpen();
    assertPoolName(pool);
    return this.open(role, pool, pool === role ? `rnh:${role}` : `rnh:${role}:${pool}`);
  }

  /**
   * Adds an externally owned client to the metrics (as BullMQ does with a shared
   * connection, its owner closes it): `close()` leaves it open.
   */
  borrow(client: RedisClient, pool: string): RedisClient {
    this.assertOpen();
    assertPoolName(pool);
    const detach = this.metrics ? instrumentClient(client, pool, this.metrics) : () => undefined;
    this.entries.push({ pool, role: 'borrowed', client, owned: false, detach });
    return client;
  }

  list(): ReadonlyArray<ConnectionEntry> {
    return this.entries.map(({ pool, role, client }) => ({ pool, role, client }));
  }

  /**
   * Waits until the shared `commands` connection (created if needed) and every
   * other connection created so far are ready. Call it at startup: it fails fast
   * with a clear reason (RedisAuthError, RedisConnectionError, RedisTimeoutError),
   * and a `producer` (no offline queue) rejects commands sent before it is ready.
   */
  async connect(timeoutMs = this.options.connectTimeoutMs): Promise<void> {
    this.shared('commands');
    const target = describeTarget(this.options);
    await Promise.all(
      this.entries
        .filter((entry) => entry.owned)
        .map((entry) => connectRedis(entry.client, { timeoutMs, target })),
    );
  }

  /** PING on the shared `commands` connection; never throws. */
  async ping(timeoutMs?: number): Promise<RedisHealth> {
    if (this.closing) return { status: 'down', latencyMs: null, error: 'connections are closed' };
    return pingRedis(this.shared('commands'), timeoutMs);
  }

  /** Readiness: the shared `commands` connection exists and is ready (does not create it). */
  isReady(): boolean {
    return !this.closing && this.sharedByRole.get('commands')?.status === 'ready';
  }

  /** Closes every owned connection (borrowed ones stay open); idempotent, concurrent calls share one promise. */
  close(timeoutMs = 2000): Promise<void> {
    this.closing ??= (async () => {
      this.switchFollower?.close();
      const owned = this.entries.filter((entry) => entry.owned);
      await Promise.all(owned.map((entry) => closeRedis(entry.client, timeoutMs)));
      for (const entry of this.entries) entry.detach();
      for (const unregister of this.unregister) unregister();
      this.logger.info({ connections: owned.length }, 'redis connections closed');
    })();
    return this.closing;
  }

  private open(role: RedisRole, pool: string, connectionName: string): RedisClient {
    if (this.options.mode === 'sentinel') this.followSentinelSwitches();
    const client = createRedis(this.options, role, { connectionName, logger: this.logger, pool });
    const detach = this.metrics ? instrumentClient(client, pool, this.metrics) : () => undefined;
    this.entries.push({ pool, role, client, owned: true, detach });
    if (role === 'worker') this.countDuplicates(client, `${pool}.blocking`);
    return client;
  }

  /** Once, with the first connection: every connection but borrowed ones follows a new master. */
  private followSentinelSwitches(): void {
    this.switchFollower ??= new SentinelSwitchFollower(
      this.options,
      () => this.entries.filter((entry) => entry.role !== 'borrowed').map((entry) => entry.client),
      (change) => this.logger.info(change, 'redis sentinel announced a new master: connections moved'),
    );
  }

  /**
   * A BullMQ worker opens its blocking connection with `duplicate()` on the connection it is
   * given: counted here under `<pool>.blocking` (state, reconnects, errors, commands), until
   * it ends. Its owner, BullMQ, closes it.
   */
  private countDuplicates(client: RedisClient, pool: string): void {
    const duplicate = client.duplicate.bind(client) as (...args: unknown[]) => RedisClient;
    (client as { duplicate: (...args: unknown[]) => RedisClient }).duplicate = (...args) => {
      const copy = duplicate(...args);
      const detach = this.metrics ? instrumentClient(copy, pool, this.metrics) : () => undefined;
      const entry: Entry = { pool, role: 'worker', client: copy, owned: false, detach };
      this.entries.push(entry);
      copy.once('end', () => {
        const index = this.entries.indexOf(entry);
        if (index >= 0) this.entries.splice(index, 1);
        detach();
      });
      return copy;
    };
  }

  private assertOpen(): void {
    if (this.closing)
      throw new RedisClosedError('RedisConnections is closed: no new connections after close()');
  }
}

function serverNodeLabel(options: RedisOptions): string {
  if (options.mode === 'sentinel') return `sentinel:${options.sentinelName ?? '?'}`;
  if (options.mode === 'cluster') return 'cluster';
  return formatHostPort(options);
}

function assertPoolName(pool: string): void {
  if (!POOL_NAME.test(pool)) {
    throw new RedisClientError(
      'REDIS_INVALID_ARGUMENT',
      `pool name must be 1-64 characters of A-Z a-z 0-9 _ . : - (got ${JSON.stringify(pool)})`,
    );
  }
}
