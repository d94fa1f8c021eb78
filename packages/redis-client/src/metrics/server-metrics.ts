import { Counter, Gauge } from 'prom-client';
import type { RedisServerInfoSampler, ServerInfoSample } from './server-info-sampler.js';
import { getOrCreate, sourcesOf, type AnyRegistry } from './registry-util.js';

/** Gauges: INFO field -> metric. */
const GAUGES = [
  ['redis_server_memory_used_bytes', 'used_memory', 'Bytes allocated by Redis (INFO used_memory).'],
  [
    'redis_server_memory_max_bytes',
    'maxmemory',
    'Configured maxmemory in bytes; 0 means no limit (INFO maxmemory).',
  ],
  [
    'redis_server_memory_fragmentation_ratio',
    'mem_fragmentation_ratio',
    'RSS / used memory (INFO mem_fragmentation_ratio).',
  ],
  ['redis_server_connected_clients', 'connected_clients', 'Client connections open on the server.'],
  [
    'redis_server_blocked_clients',
    'blocked_clients',
    'Clients blocked in BLPOP/BZPOPMIN/XREAD... (BullMQ workers wait here).',
  ],
  ['redis_server_uptime_seconds', 'uptime_in_seconds', 'Seconds since the server started.'],
] as const;

/**
 * Counters the server keeps since its start. prom-client counters can only be
 * incremented, so at scrape time we reset() and inc() by the server's value:
 * the exposed TYPE is counter (right for rate()/increase()), and a server
 * restart shows as an ordinary counter reset.
 */
const COUNTERS = [
  [
    'redis_server_rejected_connections_total',
    'rejected_connections',
    'Connections refused because maxclients was reached.',
  ],
  ['redis_server_evicted_keys_total', 'evicted_keys', 'Keys evicted because of maxmemory.'],
  ['redis_server_expired_keys_total', 'expired_keys', 'Keys deleted because their TTL expired.'],
  ['redis_server_keyspace_hits_total', 'keyspace_hits', 'Successful key lookups.'],
  ['redis_server_keyspace_misses_total', 'keyspace_misses', 'Key lookups that found nothing.'],
  ['redis_server_commands_processed_total', 'total_commands_processed', 'Commands processed by the server.'],
] as const;

/** Every sample of every sampler attached to `metric`, fetched at most once per cache window. */
async function samplesFor(metric: object): Promise<ServerInfoSample[]> {
  const samplers = [...sourcesOf<RedisServerInfoSampler>(metric)];
  return (await Promise.all(samplers.map((sampler) => sampler.sample()))).flat();
}

function numberField(sample: ServerInfoSample, field: string): number | undefined {
  const raw = sample.info?.[field];
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** A collect() that refills the metric with one INFO field per node (`set` for gauges, `inc` after reset for counters). */
function fillFrom(field: string, write: 'set' | 'inc') {
  return async function collect(this: Gauge<'node'> | Counter<'node'>): Promise<void> {
    const samples = await samplesFor(this);
    this.reset();
    for (const sample of samples) {
      const value = numberField(sample, field);
      if (value === undefined) continue;
      if (write === 'set') (this as Gauge<'node'>).set({ node: sample.node }, value);
      else (this as Counter<'node'>).inc({ node: sample.node }, value);
    }
  };
}

/**
 * Registers the `redis_server_*` metrics on `registry` (reusing them if already
 * there) and feeds them from `sampler` until the returned function is called.
 * A node whose INFO failed has `redis_server_up 0` and no other series.
 */
export function registerServerInfoMetrics(
  registry: AnyRegistry,
  sampler: RedisServerInfoSampler,
): () => void {
  const registers = [registry];
  const metrics: object[] = [
    getOrCreate(
      registry,
      'redis_server_up',
      () =>
        new Gauge({
          name: 'redis_server_up',
          help: '1 if the last INFO from the node succeeded, else 0.',
          labelNames: ['node'],
          registers,
          async collect() {
            const samples = await samplesFor(this);
            this.reset();
            for (const sample of samples) this.set({ node: sample.node }, sample.up ? 1 : 0);
          },
        }),
    ),
    ...GAUGES.map(([name, field, help]) =>
      getOrCreate(
        registry,
        name,
        () => new Gauge({ name, help, labelNames: ['node'], registers, collect: fillFrom(field, 'set') }),
      ),
    ),
    ...COUNTERS.map(([name, field, help]) =>
      getOrCreate(
        registry,
        name,
        () => new Counter({ name, help, labelNames: ['node'], registers, collect: fillFrom(field, 'inc') }),
      ),
    ),
  ];
  for (const metric of metrics) sourcesOf<RedisServerInfoSampler>(metric).add(sampler);
  return () => {
    for (const metric of metrics) sourcesOf<RedisServerInfoSampler>(metric).delete(sampler);
  };
}
