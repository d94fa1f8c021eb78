// What every dashboard must have: stable uids, the shared variables, one data source,
// queries filtered by app and instance, exemplars on latency, and the panels operators need.
import { describe, expect, it } from 'vitest';
import { DATASOURCE_UIDS, buildDashboards, panelQueries } from '../src/index.js';

const dashboards = buildDashboards();
const byUid = new Map(dashboards.map((dashboard) => [dashboard.uid!, dashboard]));
const queries = panelQueries();
type Target = { refId?: string; expr?: string; exemplar?: boolean; datasource?: { uid?: string } };
type AnyPanel = {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { uid?: string; type?: string };
  targets?: Target[];
  gridPos?: { x: number; y: number; w: number; h: number };
};
const panelsOf = (uid: string) => (byUid.get(uid)!.panels ?? []) as AnyPanel[];

describe('dashboards', () => {
  it('have stable uids and titles', () => {
    expect(dashboards.map((dashboard) => [dashboard.uid, dashboard.title])).toEqual([
      ['rnh-redis', 'RNH / Redis'],
      ['rnh-cache', 'RNH / Cache'],
      ['rnh-ratelimit', 'RNH / Rate limiting'],
      ['rnh-sessions', 'RNH / Sessions and auth'],
      ['rnh-queues', 'RNH / Queues and worker'],
      ['rnh-realtime', 'RNH / Real-time'],
      ['rnh-api', 'RNH / API'],
    ]);
  });

  it.each(dashboards.map((dashboard) => dashboard.uid!))(
    '%s has the data source, app and instance variables',
    (uid) => {
      const variables = byUid.get(uid)!.templating?.list ?? [];
      expect(variables.slice(0, 3).map((variable) => [variable.name, variable.type])).toEqual([
        ['datasource', 'datasource'],
        ['app', 'query'],
        ['instance', 'query'],
      ]);
      expect(variables[0]!.current?.value).toBe(DATASOURCE_UIDS.prometheus);
      for (const variable of variables.slice(1)) {
        expect(variable.datasource?.uid, variable.name).toBe('${datasource}');
        expect(variable.allValue, variable.name).toBe('.+');
      }
    },
  );

  it.each(dashboards.map((dashboard) => dashboard.uid!))(
    '%s has unique panel ids and fits the grid',
    (uid) => {
      const panels = panelsOf(uid);
      const ids = panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(panels.length);
      expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
      for (const panel of panels)
        expect(panel.gridPos!.x + panel.gridPos!.w, panel.title).toBeLessThanOrEqual(24);
    },
  );

  it.each(dashboards.map((dashboard) => dashboard.uid!))(
    '%s panels query the chosen data source and say what they show',
    (uid) => {
      for (const panel of panelsOf(uid).filter((candidate) => candidate.type !== 'row')) {
        expect(panel.title, uid).toBeTruthy();
        expect(panel.description, panel.title).toBeTruthy();
        expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
        const targets = panel.targets ?? [];
        expect(targets.length, panel.title).toBeGreaterThan(0);
        expect(new Set(targets.map((target) => target.refId)).size, panel.title).toBe(targets.length);
        for (const target of targets) expect(target.datasource?.uid, panel.title).toBe('${datasource}');
      }
    },
  );

  it('filter every query by app, and by instance unless it reads a recorded (aggregated) series', () => {
    for (const query of queries) {
      expect(query.template, `${query.dashboard} / ${query.panel}`).toContain('app=~"$app"');
      if (!query.template.includes('rnh:'))
        expect(query.template, `${query.dashboard} / ${query.panel}`).toContain('instance=~"$instance"');
    }
  });

  it('ask for exemplars on every latency graph, so a point links to its trace', () => {
    const latency = queries.filter(
      (query) => query.panelType === 'timeseries' && query.template.startsWith('histogram_quantile('),
    );
    expect(latency.length).toBeGreaterThan(10);
    for (const query of latency) expect(query.exemplar, `${query.dashboard} / ${query.panel}`).toBe(true);
  });

  it('link to each other (dashboards tagged rnh) keeping time and variables', () => {
    for (const dashboard of dashboards) {
      expect(dashboard.tags).toContain('rnh');
      expect(dashboard.links).toEqual([
        expect.objectContaining({ type: 'dashboards', tags: ['rnh'], includeVars: true, keepTime: true }),
      ]);
    }
  });

  // What each dashboard is for (see the issue): the series its panels must read.
  it.each([
    [
      'rnh-redis',
      [
        'redis_server_memory_used_bytes',
        'redis_server_memory_max_bytes',
        'redis_server_connected_clients',
        'redis_server_evicted_keys_total',
        'redis_server_keyspace_hits_total',
        'redis_server_commands_processed_total',
        'db_client_operation_duration_seconds_bucket',
        'redis_client_connection_state',
        'redis_client_pending_commands',
        'redis_client_reconnects_total',
        'redis_client_errors_total',
      ],
    ],
    [
      'rnh-cache',
      [
        'cache_lookups_total',
        'cache_loader_duration_seconds_bucket',
        'cache_coalesced_total',
        'cache_l1_entries',
        'cache_l1_evictions_total',
        'cache_invalidations_total',
      ],
    ],
    ['rnh-ratelimit', ['ratelimit_decisions_total', 'ratelimit_near_limit_total']],
    [
      'rnh-sessions',
      ['sessions_active', 'auth_logins_total', 'tokens_rejected_total', 'refresh_token_reuse_detected_total'],
    ],
    [
      'rnh-queues',
      [
        'queue_jobs_completed_total',
        'queue_jobs_failed_total',
        'queue_job_wait_seconds_bucket',
        'queue_job_processing_seconds_bucket',
        'queue_jobs',
        'queue_oldest_waiting_job_age_seconds',
        'queue_jobs_stalled_total',
        'queue_jobs_dead_lettered_total',
      ],
    ],
    [
      'rnh-realtime',
      [
        'realtime_connected_clients',
        'realtime_online_users',
        'realtime_delivery_lag_seconds_bucket',
        'realtime_events_delivered_total',
        'realtime_clients_dropped_total',
        'realtime_connections_rejected_total',
      ],
    ],
    [
      'rnh-api',
      ['http_server_request_duration_seconds_count', 'http_server_request_duration_seconds_bucket'],
    ],
  ])('%s reads %j', (uid, metrics) => {
    const text = queries
      .filter((query) => query.dashboard === uid)
      .map((query) => query.template)
      .join('\n');
    for (const metric of metrics) expect(text, metric).toMatch(new RegExp(`\\b${metric}\\{`));
  });

  it('show p50, p95 and p99 of queue wait and processing time', () => {
    for (const histogram of ['queue_job_wait_seconds', 'queue_job_processing_seconds']) {
      const own = queries.filter(
        (query) => query.dashboard === 'rnh-queues' && query.template.includes(`${histogram}_bucket`),
      );
      for (const q of ['0.5', '0.95', '0.99'])
        expect(own.some((query) => query.template.startsWith(`histogram_quantile(${q},`))).toBe(true);
    }
  });
});
