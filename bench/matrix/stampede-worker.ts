// One process of the cold-key stampede (sections/stampede.ts forks several): builds every cache
// on the given Redis, and on "run" calls getOrSet for each key from many callers at once,
// counting the loader calls per key. Talks to its parent over the IPC channel.
import { setTimeout as sleep } from 'node:timers/promises';
import { createKeyv } from '@keyv/redis';
import { Cache } from '@rnh/cache';
import { defaultRedisOptions, RedisConnections } from '@rnh/redis-client';
import { createLogger, createMetricsRegistry } from '@rnh/telemetry';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { Redis } from 'ioredis';
import { pino } from 'pino';

export type StampedeContender = 'rnh' | 'raw-ioredis' | 'bentocache' | 'cache-manager';

export type ToWorker =
  | { type: 'setup'; host: string; port: number }
  | { type: 'run'; contender: StampedeContender; keys: string[]; callers: number; loadMs: number }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; loads: Record<string, number>; calls: number; errors: number; firstError?: string }
  | { type: 'failed'; error: string };

type GetOrSet = (key: string, load: () => Promise<unknown>) => Promise<unknown>;

const TTL_SECONDS = 600;

interface Built {
  getOrSet: Record<StampedeContender, GetOrSet>;
  close(): Promise<void>;
}

async function build(host: string, port: number): Promise<Built> {
  const registry = createMetricsRegistry({ defaultLabels: { app: 'bench' } });
  const logger = createLogger({ name: 'bench', level: 'warn', destination: pino.destination(2) });
  const connections = new RedisConnections({
    options: defaultRedisOptions({ host, port, keyPrefix: 'bench:' }),
    logger,
    registry,
  });
  await connections.connect();
  // @rnh/cache with its defaults: in-process coalescing and the cross-process load lock.
  const cache = new Cache(
    { redis: connections.shared('commands'), keys: connections.keys.child('cache'), logger, registry },
    { name: 'stampede', defaultTtl: TTL_SECONDS },
  );
  await cache.start();

  // A hand-written read-through: GET, and on a miss load and SET (no coalescing, no lock).
  const raw = new Redis({ host, port });
  raw.on('error', () => undefined);

  const bento = new BentoCache({
    default: 'stampede',
    prefix: 'bench-bento-stampede',
    stores: { stampede: bentostore().useL2Layer(redisDriver({ connection: { host, port } })) },
  });
  const manager = createCache({
    stores: [createKeyv(`redis://${host}:${port}`, { namespace: 'bench-cm-stampede' })],
  });

  return {
    getOrSet: {
      rnh: (key, load) => cache.getOrSet(key, load),
      'raw-ioredis': async (key, load) => {
        const found = await raw.get(`bench:raw:${key}`);
        if (found !== null) return JSON.parse(found) as unknown;
        const value = await load();
        await raw.set(`bench:raw:${key}`, JSON.stringify(value), 'EX', TTL_SECONDS);
        return value;
      },
      bentocache: (key, load) => bento.getOrSet({ key, factory: load, ttl: TTL_SECONDS * 1000 }),
      'cache-manager': (key, load) => manager.wrap(key, load, TTL_SECONDS * 1000),
    },
    async close() {
      await cache.close();
      await connections.close();
      await bento.disconnectAll();
      await manager.disconnect();
      raw.disconnect();
    },
  };
}

async function run(
  getOrSet: GetOrSet,
  message: Extract<ToWorker, { type: 'run' }>,
): Promise<Extract<FromWorker, { type: 'result' }>> {
  const loads: Record<string, number> = Object.fromEntries(message.keys.map((key) => [key, 0]));
  let errors = 0;
  let firstError: string | undefined;
  const calls = message.keys.flatMap((key) =>
    Array.from({ length: message.callers }, () =>
      getOrSet(key, async () => {
        loads[key]!++;
        await sleep(message.loadMs);
        return { key, loadedBy: process.pid };
      }).catch((error: unknown) => {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }),
    ),
  );
  await Promise.all(calls);
  return { type: 'result', loads, calls: calls.length, errors, ...(firstError ? { firstError } : {}) };
}

function send(message: FromWorker): void {
  process.send?.(message);
}

let built: Built | undefined;
process.on('message', (message: ToWorker) => {
  const handle = async () => {
    if (message.type === 'setup') {
      built = await build(message.host, message.port);
      send({ type: 'ready' });
    } else if (message.type === 'run') {
      send(await run(built!.getOrSet[message.contender], message));
    } else {
      await built?.close();
      process.disconnect();
    }
  };
  handle().catch((error: unknown) => {
    send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});
