// Where the deploy assets live, for tests and for code that renders configs elsewhere.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(deployDir, '..');
export const composeFile = join(repoRoot, 'docker-compose.yml');
export const prometheusDir = join(deployDir, 'prometheus');
/** The compose stack's Prometheus config (targets are compose services). */
export const prometheusConfigFile = join(prometheusDir, 'prometheus.yml');
/** Recording and alerting rules, one file per area. */
export const rulesDir = join(prometheusDir, 'rules');
/** `promtool test rules` files, one per rule file. */
export const ruleTestsDir = join(prometheusDir, 'tests');
export const grafanaProvisioningDir = join(deployDir, 'grafana', 'provisioning');
export const alertmanagerConfigFile = join(deployDir, 'alertmanager', 'alertmanager.yml');
export const otelCollectorConfigFile = join(deployDir, 'otel-collector', 'config.yaml');
/** What to do about each alert: one section per alert, linked from its runbook_url. */
export const runbooksFile = join(repoRoot, 'docs', 'runbooks.md');
/** Where the rules' runbook_url annotations point (the project's repository on GitHub). */
export const RUNBOOK_URL = 'https://github.com/rnh-platform/rnh-platform/blob/main/docs/runbooks.md';
/** The scaled-out stack: api and worker replicas behind HAProxy, a Redis Sentinel group. */
export const scaleComposeFile = join(repoRoot, 'docker-compose.scale.yml');
/** The scale stack's Prometheus config: prometheus.yml with every replica as a target. */
export const prometheusScaleConfigFile = join(prometheusDir, 'prometheus.scale.yml');
/** The scale stack's reverse proxy in front of the api replicas. */
export const haproxyConfigFile = join(deployDir, 'haproxy', 'haproxy.cfg');
/** The scale stack's Redis data nodes and Sentinels: their configs and start scripts. */
export const redisSentinelDir = join(deployDir, 'redis-sentinel');
/** Kubernetes manifests of the apps (kustomization.yaml) and the Redis chart's values. */
export const kubernetesDir = join(deployDir, 'kubernetes');
