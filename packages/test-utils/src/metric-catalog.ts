// Keeps docs/metrics.md and what the apps serve on /metrics in step.
import { readFileSync } from 'node:fs';

/** Metric names (or `prefix_*` groups) listed in the first column of the catalog's tables. */
export function catalogedMetricNames(catalogPath: string): string[] {
  const names: string[] = [];
  for (const line of readFileSync(catalogPath, 'utf8').split('\n')) {
    const match = /^\|\s*`([a-z_:][a-z0-9_:]*\*?)`\s*\|/.exec(line);
    if (match) names.push(match[1]!);
  }
  return names;
}

/** Metric family names declared by `# TYPE` lines of a Prometheus text exposition. */
export function servedMetricFamilies(exposition: string): string[] {
  return [...exposition.matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1]!);
}

/** Served families that the catalog does not list (exactly or by a `prefix_*` group). */
export function uncatalogedMetrics(exposition: string, catalogPath: string): string[] {
  const listed = catalogedMetricNames(catalogPath);
  const covered = (name: string) =>
    listed.some((entry) => (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : entry === name));
  return servedMetricFamilies(exposition).filter((name) => !covered(name));
}
