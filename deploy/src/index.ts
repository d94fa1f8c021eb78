// @rnh/deploy: the observability assets' locations, and prometheus.yml for other targets.
export * from './paths.js';
export {
  SCRAPE_JOBS,
  composePrometheusConfig,
  renderPrometheusConfig,
  type PrometheusConfig,
  type PrometheusConfigOptions,
  type ScrapeConfig,
  type ScrapeJob,
} from './prometheus-config.js';
