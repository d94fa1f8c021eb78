// Every cache in the benchmark, each built the way its documentation shows, all on one redis-server.
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { createKeyv } from '@keyv/redis';
import { Cache } from '@rnh/cache';
import type { Logger, RedisConnections } from '@rnh/redis-client';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Contender } from '../lib/runner.js';
import type { Operation } from '../lib/measure.js';

export const L2_GROUP = 'L2 hit: every call reads Redis';
export const L1_GROUP = 'L1 hit: every call is served in-process';

/** What every contender is given: one Redis, one value, the keys to preload and cycle through. */
export interface Setting {
  host: string;
  port: number;
  /** The cached value (JSON-shaped: every contender stores and returns the same data). */
  value: unknown;
  /** Key names (without any library prefix); contenders preload each and cycle through them. */
  keys: string[];
  ttlSeconds: number;
  /**
   * The order keys are asked for: operation i reads `keys[order[i % order.length]]` (e.g. a Zipf
   * sequence). Without it, keys are taken in turn.
   */
  order?: Int32Array;
  /** Read-through: keys start cold and every loader call waits this long (a database read), ms. */
  readThroughLoadMs?: number;
}

/** The key operation `index` asks for. */
function keyPicker(setting: Setting): (index: number) => string {
  const { keys, order } = setting;
  if (!order) return (index) => keys[index % keys.length]!;
  return (index) => keys[order[index % order.length]!]!;
}

/** Writes every key with `write`, many at once (preloading 100k keys one by one would take minutes). */
async function preload(keys: readonly string[], write: (key: string) => Promise<unknown>): Promise<void> {
  const inFlight = 256;
  let next = 0;
  const worker = async () => {
    while (next < keys.length) await write(keys[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, keys.length) }, worker));
}

/** The app side of @rnh/cache: built once by the caller, as a composition root would. */
export interface RnhApp {
  connections: RedisConnections;
  registry: Registry;
  logger: Logger;
}

/**
 * A contender's loader/factory: counts calls (a hit benchmark expects none) and returns the
 * value, after `delayMs` when the setting is read-through.
 */
function countingLoader(setting: Setting) {
  let calls = 0;
  const { value, readThroughLoadMs } = setting;
  const load =
    readThroughLoadMs === undefined
      ? () => {
          calls++;
          return value;
        }
      : async () => {
          calls++;
          await sleep(readThroughLoadMs);
          return value;
        };
  return { load, calls: () => calls };
}

class MissError extends Error {
  constructor(key: string) {
    super(`expected a hit, found nothing at ${key}`);
    this.name = 'MissError';
  }
}

/** Runs one operation after preloading and checks it answers the value, so no contender measures the wrong thing. */
async function checked(label: string, op: Operation, value: unknown): Promise<Operation> {
  const answer = await op(0);
  if (!isDeepStrictEqual(answer, value))
    throw new Error(`${label}: the preloaded value did not come back intact:\n${JSON.stringify(answer)}`);
  return op;
}

/** ioredis GET + JSON.parse: what a hand-written cache read costs. */
export function rawIoredis(setting: Setting, autoPipelining: boolean): Contender {
  let redis: Redis | undefined;
  let misses = 0;
  const label = `raw ioredis GET + JSON.parse (${autoPipelining ? 'auto-pipelining' : 'no auto-pipelining'})`;
  return {
    id: autoPipelining ? 'raw-ioredis-ap' : 'raw-ioredis',
    label,
    group: L2_GROUP,
    role: autoPipelining ? 'info' : 'baseline',
    async setup() {
      redis = new Redis({ host: setting.host, port: setting.port, enableAutoPipelining: autoPipelining });
      redis.on('error', () => undefined); // failed commands are counted by the runner
      const client = redis;
      const keyOf = keyPicker(setting);
      const text = JSON.stringify(setting.value);
      const { readThroughLoadMs } = setting;
      if (readThroughLoadMs === undefined)
        await preload(setting.keys, (key) => client.set(`bench:raw:${key}`, text, 'EX', setting.ttlSeconds));
      // Read-through by hand: GET, and on a miss load and SET it (no coalescing, no lock).
      const op: Operation = async (index) => {
        const key = `bench:raw:${keyOf(index)}`;
        const found = await client.get(key);
        if (found !== null) return JSON.parse(found) as unknown;
        misses++;
        if (readThroughLoadMs === undefined) throw new MissError(key);
        await sleep(readThroughLoadMs);
        await client.set(key, text, 'EX', setting.ttlSeconds);
        return JSON.parse(text) as unknown;
      };
      return checked(label, op, setting.value);
    },
    misses: () => misses,
    async close() {
      await redis?.quit().catch(() => redis?.disconnect());
    },
  };
}

/**
 * @rnh/cache getOrSet as an app builds it: the shared `commands` connection of
 * RedisConnections (auto-pipelining, client metrics), metrics on the app registry,
 * tracing through the global tracer provider.
 */
export function rnhCache(setting: Setting, app: RnhApp, layer: 'l1' | 'l2'): Contender {
  const loader = countingLoader(setting);
  let cache: Cache | undefined;
  const label =
    layer === 'l2'
      ? '@rnh/cache getOrSet (L1 off)'
      : '@rnh/cache getOrSet (L1 on, L2 redis, invalidation bus)';
  return {
    id: layer === 'l2' ? 'rnh-l2' : 'rnh-l1',
    label,
    group: layer === 'l2' ? L2_GROUP : L1_GROUP,
    role: 'ours',
    async setup() {
      cache = new Cache(
        {
          redis: app.connections.shared('commands'),
          keys: app.connections.keys.child('cache'),
          logger: app.logger,
          registry: app.registry,
          subscriber: layer === 'l1' ? app.connections.shared('subscriber') : undefined,
        },
        {
          name: layer === 'l2' ? 'profiles' : 'profiles-l1',
          defaultTtl: setting.ttlSeconds,
          ...(layer === 'l1' ? { l1: { maxEntries: 10_000 } } : {}),
        },
      );
      await cache.start();
      const instance = cache;
      if (setting.readThroughLoadMs === undefined)
        await preload(setting.keys, (key) => instance.set(key, setting.value));
      const keyOf = keyPicker(setting);
      const op: Operation = (index) => instance.getOrSet(keyOf(index), loader.load);
      return checked(label, op, setting.value);
    },
    misses: loader.calls,
    async close() {
      await cache?.close();
    },
  };
}

type Bento = BentoCache<Record<string, ReturnType<typeof bentostore>>>;

/**
 * bentocache with only an L2 layer (`bentostore().useL2Layer(redisDriver(...))`). By default
 * its redis driver makes its own ioredis client from the options given, as its docs show
 * (no auto-pipelining); with `autoPipelining` it is handed an ioredis client that has it on
 * (shown for information: not what the target compares with).
 */
export function bentocacheL2(setting: Setting, autoPipelining = false): Contender {
  const loader = countingLoader(setting);
  let bento: Bento | undefined;
  let client: Redis | undefined;
  const label = `bentocache getOrSet (L2 redis only${autoPipelining ? ', auto-pipelining client' : ''})`;
  return {
    id: autoPipelining ? 'bentocache-l2-ap' : 'bentocache-l2',
    label,
    group: L2_GROUP,
    role: autoPipelining ? 'info' : 'peer',
    async setup() {
      const options = { host: setting.host, port: setting.port };
      if (autoPipelining) client = new Redis({ ...options, enableAutoPipelining: true });
      bento = new BentoCache({
        default: 'profiles',
        prefix: autoPipelining ? 'bench-bento-l2-ap' : 'bench-bento-l2',
        stores: { profiles: bentostore().useL2Layer(redisDriver({ connection: client ?? options })) },
      });
      return bentoOperation(label, bento, setting, loader.load);
    },
    misses: loader.calls,
    async close() {
      await bento?.disconnectAll();
      client?.disconnect();
    },
  };
}

/**
 * bentocache two-tier as its docs recommend for several processes: memory L1
 * (`maxItems` raised from 1000 so every key fits, like our L1), redis L2 and the redis bus.
 * Its memory driver stores serialized entries by default (each hit parses them); with
 * `serialize: false` it keeps the objects (shown for information).
 */
export function bentocacheL1(setting: Setting, serialize = true): Contender {
  const loader = countingLoader(setting);
  let bento: Bento | undefined;
  const label = `bentocache getOrSet (memory L1${serialize ? '' : ' serialize: false'}, redis L2, redis bus)`;
  return {
    id: serialize ? 'bentocache-l1' : 'bentocache-l1-objects',
    label,
    group: L1_GROUP,
    role: serialize ? 'baseline' : 'info',
    async setup() {
      const connection = { host: setting.host, port: setting.port };
      bento = new BentoCache({
        default: 'profiles',
        prefix: serialize ? 'bench-bento-l1' : 'bench-bento-l1-objects',
        stores: {
          profiles: bentostore()
            .useL1Layer(memoryDriver({ maxItems: 10_000, serialize }))
            .useL2Layer(redisDriver({ connection }))
            .useBus(redisBusDriver({ connection })),
        },
      });
      return bentoOperation(label, bento, setting, loader.load);
    },
    misses: loader.calls,
    async close() {
      await bento?.disconnectAll();
    },
  };
}

async function bentoOperation(
  label: string,
  bento: Bento,
  setting: Setting,
  factory: () => unknown,
): Promise<Operation> {
  const ttl = setting.ttlSeconds * 1000;
  if (setting.readThroughLoadMs === undefined)
    await preload(setting.keys, (key) => bento.set({ key, value: setting.value, ttl }));
  const keyOf = keyPicker(setting);
  const op: Operation = (index) => bento.getOrSet({ key: keyOf(index), factory, ttl });
  return checked(label, op, setting.value);
}

/** cache-manager v7 over a Keyv store backed by @keyv/redis (node-redis underneath), `wrap` as getOrSet. */
export function cacheManager(setting: Setting): Contender {
  const loader = countingLoader(setting);
  let cache: ReturnType<typeof createCache> | undefined;
  const label = 'cache-manager wrap (Keyv + @keyv/redis)';
  return {
    id: 'cache-manager',
    label,
    group: L2_GROUP,
    role: 'peer',
    async setup() {
      const keyv = createKeyv(`redis://${setting.host}:${setting.port}`, { namespace: 'bench-cm' });
      cache = createCache({ stores: [keyv] });
      const instance = cache;
      const ttl = setting.ttlSeconds * 1000;
      if (setting.readThroughLoadMs === undefined)
        await preload(setting.keys, (key) => instance.set(key, setting.value, ttl));
      const keyOf = keyPicker(setting);
      const op: Operation = (index) => instance.wrap(keyOf(index), loader.load, ttl);
      return checked(label, op, setting.value);
    },
    misses: loader.calls,
    async close() {
      await cache?.disconnect();
    },
  };
}
