// One prom-client registry per app, passed to every package that measures something.
import { collectDefaultMetrics, Registry, type OpenMetricsContentType } from 'prom-client';
import type { MetricsRegistryOptions } from './types.js';

/**
 * A new registry (never prom-client's global one) rendering OpenMetrics, the format
 * in which histograms can carry trace exemplars; `metricsHandler` still serves the
 * classic text format to scrapers that do not ask for OpenMetrics.
 *
 * Typed as a plain `Registry` so it can be handed to packages that declare
 * `registry: Registry`; at runtime `registry.contentType` is the OpenMetrics one.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry<OpenMetricsContentType>();
  // Before any metric registers: prom-client checks the type when a metric enables exemplars.
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  if (options.defaultLabels && Object.keys(options.defaultLabels).length > 0) {
    registry.setDefaultLabels(options.defaultLabels);
  }
  if (options.collectDefaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, ...(options.prefix ? { prefix: options.prefix } : {}) });
  }
  return registry as unknown as Registry;
}

/** Whether metrics created on this registry may enable exemplars (prom-client throws otherwise). */
export function supportsExemplars(registry: { contentType: string }): boolean {
  return registry.contentType === Registry.OPENMETRICS_CONTENT_TYPE;
}
