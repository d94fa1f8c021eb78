import type { Registry, RegistryContentType } from 'prom-client';

export type AnyRegistry = Registry<RegistryContentType>;

/** Reuses a metric already registered under `name` (createSessionMetrics called twice), else creates it. */
export function getOrCreate<M>(registry: AnyRegistry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

// State that collect() reads lives on the metric object itself, so it follows the
// registry (two stores on one registry share it) instead of a module-level map.
const SOURCES = Symbol.for('@rnh/sessions/metric-sources');

export function sourcesOf<S>(metric: object): Map<string, Set<S>> {
  const holder = metric as { [SOURCES]?: Map<string, Set<S>> };
  holder[SOURCES] ??= new Map<string, Set<S>>();
  return holder[SOURCES];
}
