// The compose stack's prometheus.yml, rendered for other targets: e.g. a test that starts
// the api and the worker on free ports and a real Prometheus next to them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { prometheusConfigFile, rulesDir } from './paths.js';

/** The scrape jobs of prometheus.yml. */
export const SCRAPE_JOBS = ['api', 'worker', 'redis_exporter'] as const;
export type ScrapeJob = (typeof SCRAPE_JOBS)[number];

export interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  metrics_path?: string;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
}

export interface PrometheusConfig {
  global?: { scrape_interval?: string; evaluation_interval?: string };
  rule_files?: string[];
  alerting?: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  scrape_configs: ScrapeConfig[];
}

export interface PrometheusConfigOptions {
  /** `host:port` per scrape job. Jobs left out are not scraped. */
  targets: Partial<Record<ScrapeJob, string[]>>;
  /** Rule files or globs; default: every file of deploy/prometheus/rules, by absolute path. */
  ruleFiles?: string[];
  /** Alertmanagers (`host:port`); default: none, so no alerting section. */
  alertmanagers?: string[];
  scrapeInterval?: string;
  evaluationInterval?: string;
}

/** The committed deploy/prometheus/prometheus.yml, parsed. */
export function composePrometheusConfig(): PrometheusConfig {
  return parse(readFileSync(prometheusConfigFile, 'utf8')) as PrometheusConfig;
}

/**
 * prometheus.yml with the compose file's scrape settings but the given targets, rule
 * files and alertmanagers. Write it anywhere: rule paths are absolute.
 */
export function renderPrometheusConfig(options: PrometheusConfigOptions): string {
  const base = composePrometheusConfig();
  const config: PrometheusConfig = {
    global: {
      ...base.global,
      ...(options.scrapeInterval ? { scrape_interval: options.scrapeInterval } : {}),
      ...(options.evaluationInterval ? { evaluation_interval: options.evaluationInterval } : {}),
    },
    rule_files: options.ruleFiles ?? [join(rulesDir, '*.yml')],
    scrape_configs: base.scrape_configs.flatMap((scrape) => {
      const targets = options.targets[scrape.job_name as ScrapeJob];
      return targets && targets.length > 0 ? [{ ...scrape, static_configs: [{ targets }] }] : [];
    }),
  };
  if (options.alertmanagers && options.alertmanagers.length > 0) {
    config.alerting = { alertmanagers: [{ static_configs: [{ targets: options.alertmanagers }] }] };
  }
  return stringify(config);
}
