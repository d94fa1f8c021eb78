import type { Registry, RegistryContentType } from 'prom-client';

export type AnyRegistry = Registry<RegistryContentType>;

// State that collect() reads lives on the metric object itself, so it follows the
// registry (two RedisConnections on one registry share it; registry.clear() drops it)
// instead of sitting in a module-level map.
const SOURCES = Symbol.for('@rnh/redis-client/metric-sources');

/** The set of providers a scrape-time metric reads in collect(). */
export function sourcesOf<S>(metric: object): Set<S> {
  const holder = metric as { [SOURCES]?: Set<S> };
  holder[SOURCES] ??= new Set<S>();
  return holder[SOURCES];
}

/**
 * Reuses a metric already registered under `name`, else creates it: lets a package's
 * metrics factory run twice on one registry (two connections, stores or caches).
 */
export function getOrCreate<M>(registry: AnyRegistry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}
