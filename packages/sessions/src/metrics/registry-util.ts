export { getOrCreateMetric as getOrCreate, type MetricsRegistry as AnyRegistry } from '@rnh/redis-client';

// State that collect() reads lives on the metric object itself, so it follows the
// registry (two stores on one registry share it) instead of a module-level map.
const SOURCES = Symbol.for('@rnh/sessions/metric-sources');

export function sourcesOf<S>(metric: object): Map<string, Set<S>> {
  const holder = metric as { [SOURCES]?: Map<string, Set<S>> };
  holder[SOURCES] ??= new Map<string, Set<S>>();
  return holder[SOURCES];
}
