// Redis overview: the server as the apps see it through INFO, and every command's client-side result.
import { buildDashboard } from '../dashboard.js';
import { gauge, latency, stat, timeseries, upDownMappings } from '../panels.js';
import { rate, ratio, sel } from '../promql.js';

const S = sel();
/** One value per Redis node, however many app instances sample it. */
const perNode = (metric: string) => `max by (node) (${metric}{${S}})`;
const perNodeRate = (metric: string) => `max by (node) (${rate(metric, S)})`;

const keyspaceHits = perNodeRate('redis_server_keyspace_hits_total');
const keyspaceLookups = `(${keyspaceHits} + ${perNodeRate('redis_server_keyspace_misses_total')})`;

const commands = 'db_client_operation_duration_seconds';

export const redis = () =>
  buildDashboard({
    uid: 'rnh-redis',
    title: 'RNH / Redis',
    description:
      'Redis as the api and the worker see it: INFO sampled at scrape time, and the client-side duration and outcome of every command.',
    tags: ['redis'],
    rows: [
      {
        title: 'Server',
        panels: [
          stat({
            title: 'Up',
            description:
              'Whether the last INFO of each node succeeded (redis_server_up), worst of all instances.',
            query: { expr: `min by (node) (redis_server_up{${S}})`, legend: '{{node}}' },
            mappings: upDownMappings,
            steps: [],
            width: 4,
          }),
          gauge({
            title: 'Memory used of max',
            description:
              'used_memory / maxmemory. Empty when maxmemory is 0 (no limit). With noeviction, writes fail at 100 %. Alerts at 85 % and 95 %.',
            query: {
              expr: `${perNode('redis_server_memory_used_bytes')} / (${perNode('redis_server_memory_max_bytes')} > 0)`,
              legend: '{{node}}',
            },
            max: 1,
            steps: [
              { value: 0.85, color: 'orange' },
              { value: 0.95, color: 'red' },
            ],
            width: 4,
          }),
          stat({
            title: 'Connected clients',
            description: 'connected_clients.',
            query: { expr: perNode('redis_server_connected_clients'), legend: '{{node}}' },
            width: 4,
          }),
          stat({
            title: 'Commands processed',
            description: 'total_commands_processed per second, all clients (not only ours).',
            query: { expr: perNodeRate('redis_server_commands_processed_total'), legend: '{{node}}' },
            unit: 'ops',
            width: 4,
          }),
          stat({
            title: 'Keyspace hit ratio',
            description: 'keyspace_hits / (hits + misses) of every client.',
            query: { expr: ratio(keyspaceHits, keyspaceLookups), legend: '{{node}}' },
            unit: 'percentunit',
            width: 4,
          }),
          stat({
            title: 'Uptime',
            description: 'uptime_in_seconds: a drop is a restart.',
            query: { expr: perNode('redis_server_uptime_seconds'), legend: '{{node}}' },
            unit: 's',
            width: 4,
          }),
          timeseries({
            title: 'Memory used vs max',
            description: 'used_memory against maxmemory (not drawn when 0, no limit).',
            unit: 'bytes',
            min: 0,
            queries: [
              { expr: perNode('redis_server_memory_used_bytes'), legend: 'used {{node}}' },
              { expr: `${perNode('redis_server_memory_max_bytes')} > 0`, legend: 'max {{node}}' },
            ],
          }),
          timeseries({
            title: 'Clients',
            description:
              'Connected and blocked clients (workers waiting on blocking pops), and connections refused at maxclients.',
            queries: [
              { expr: perNode('redis_server_connected_clients'), legend: 'connected {{node}}' },
              { expr: perNode('redis_server_blocked_clients'), legend: 'blocked {{node}}' },
              { expr: perNodeRate('redis_server_rejected_connections_total'), legend: 'rejected/s {{node}}' },
            ],
          }),
          timeseries({
            title: 'Evictions and expirations',
            description: 'Keys evicted (should stay 0 with noeviction) and expired, per second.',
            unit: 'ops',
            queries: [
              { expr: perNodeRate('redis_server_evicted_keys_total'), legend: 'evicted {{node}}' },
              { expr: perNodeRate('redis_server_expired_keys_total'), legend: 'expired {{node}}' },
            ],
          }),
          timeseries({
            title: 'Keyspace hit ratio',
            description: 'keyspace_hits / (hits + misses) of every client of the server.',
            unit: 'percentunit',
            min: 0,
            max: 1,
            queries: [{ expr: ratio(keyspaceHits, keyspaceLookups), legend: '{{node}}' }],
          }),
          timeseries({
            title: 'Commands processed',
            description: 'total_commands_processed per second.',
            unit: 'ops',
            queries: [{ expr: perNodeRate('redis_server_commands_processed_total'), legend: '{{node}}' }],
          }),
          timeseries({
            title: 'Memory fragmentation',
            description: 'mem_fragmentation_ratio: well above 1.5 wastes memory, below 1 means swapping.',
            queries: [{ expr: perNode('redis_server_memory_fragmentation_ratio'), legend: '{{node}}' }],
          }),
        ],
      },
      {
        title: 'Commands (client side)',
        panels: [
          latency({
            title: 'Command latency p99 by command',
            description:
              'Client-side duration from send to reply, including time queued for a reconnect. Dots are exemplars: click for the trace.',
            histogram: commands,
            matchers: S,
            by: ['db_operation_name'],
            quantiles: [0.99],
          }),
          latency({
            title: 'Command latency',
            description: 'p50, p95 and p99 of every command of the selected apps. Dots are exemplars.',
            histogram: commands,
            matchers: S,
          }),
          timeseries({
            title: 'Commands by command',
            description: 'Commands per second as the apps sent them (pipelined ones included).',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (db_operation_name) (${rate(`${commands}_count`, S)})`,
                legend: '{{db_operation_name}}',
              },
            ],
          }),
          timeseries({
            title: 'Command errors by type',
            description:
              'Failed commands per second by error_type (Redis error prefix, timeout, connection). NOSCRIPT is retried with the script.',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (error_type, db_operation_name) (${rate(`${commands}_count`, sel('error_type!=""'))})`,
                legend: '{{error_type}} {{db_operation_name}}',
              },
            ],
          }),
          timeseries({
            title: 'Command error ratio (SLO 99.9 %)',
            description:
              'Recorded share of failed commands per app (NOSCRIPT excluded) over 5 minutes and 1 hour, all instances. The fast-burn alert fires when both exceed 1.44 %.',
            unit: 'percentunit',
            min: 0,
            queries: [
              { expr: 'rnh:redis_client_errors:ratio_rate5m{app=~"$app"}', legend: '{{app}} 5m' },
              { expr: 'rnh:redis_client_errors:ratio_rate1h{app=~"$app"}', legend: '{{app}} 1h' },
            ],
          }),
        ],
      },
      {
        title: 'Connections (client side)',
        panels: [
          timeseries({
            title: 'Connections by state',
            description: 'Connections of each pool by ioredis state; all should be ready.',
            stack: true,
            width: 8,
            queries: [
              {
                expr: `sum by (app, pool, state) (redis_client_connection_state{${S}}) > 0`,
                legend: '{{app}} {{pool}} {{state}}',
              },
            ],
          }),
          timeseries({
            title: 'Pending commands',
            description: 'Commands sent and not answered yet, plus those waiting for a connection.',
            width: 8,
            queries: [
              {
                expr: `sum by (app, pool) (redis_client_pending_commands{${S}})`,
                legend: '{{app}} {{pool}}',
              },
            ],
          }),
          timeseries({
            title: 'Reconnects',
            description: 'Reconnect attempts per second, by pool.',
            unit: 'ops',
            width: 8,
            queries: [
              {
                expr: `sum by (app, pool) (${rate('redis_client_reconnects_total', S)})`,
                legend: '{{app}} {{pool}}',
              },
            ],
          }),
          timeseries({
            title: 'Connection errors',
            description: 'Connection-level error events per second, by pool and error type.',
            unit: 'ops',
            width: 24,
            queries: [
              {
                expr: `sum by (app, pool, error_type) (${rate('redis_client_errors_total', S)})`,
                legend: '{{app}} {{pool}} {{error_type}}',
              },
            ],
          }),
        ],
      },
    ],
  });
