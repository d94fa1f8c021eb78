// Reading one metric series from a prom-client registry in tests.

interface MetricSample {
  value: number;
  labels: Record<string, unknown>;
  metricName?: string;
}

/** The parts of a prom-client Registry this needs (so test-utils does not depend on prom-client). */
interface RegistryLike {
  getSingleMetric(name: string): { get(): Promise<{ values: MetricSample[] }> } | undefined;
}

/**
 * The value of the first series of `name` whose labels include `labels` (after the metric's
 * collect()), or 0 when there is none. For a histogram, its `_count` series.
 */
export async function metricValue(
  registry: RegistryLike,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const match = values.find(
    (value) =>
      Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected) &&
      (value.metricName === undefined || value.metricName.endsWith('_count') || value.metricName === name),
  );
  return match?.value ?? 0;
}
