// @rnh/deploy: the observability assets' locations, and prometheus.yml and alertmanager.yml for
// other targets.
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
export {
  composeAlertmanagerConfig,
  renderAlertmanagerConfig,
  type AlertmanagerConfig,
  type AlertmanagerConfigOptions,
  type AlertmanagerReceiver,
  type AlertmanagerRoute,
} from './alertmanager-config.js';
export {
  PrometheusApi,
  PrometheusApiError,
  type PromAlert,
  type PromSample,
  type PromSeries,
} from './prometheus-api.js';
// The load generator behind `pnpm load` (load/cli.ts).
export * from '../load/index.js';
