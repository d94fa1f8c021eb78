// @rnh/realtime in the apps: live connections (SSE, WebSocket), event delivery and its lag,
// replays after reconnects, dropped and refused clients, presence.
import { buildDashboard } from '../dashboard.js';
import { latency, stat, timeseries } from '../panels.js';
import { increaseOverRange, quantile, rate, sel } from '../promql.js';

const S = sel();

export const realtime = () =>
  buildDashboard({
    uid: 'rnh-realtime',
    title: 'RNH / Real-time',
    description:
      'Live delivery (@rnh/realtime): events published to users’ feeds, delivered over server-sent events and WebSocket, replayed after reconnects; connections, drops, refusals and presence.',
    tags: ['realtime', 'websocket', 'sse'],
    rows: [
      {
        title: 'Overview',
        panels: [
          stat({
            title: 'Connected clients',
            description: 'Open live connections across the selected instances.',
            query: { expr: `sum (realtime_connected_clients{${S}})` },
            noValue: '0',
          }),
          stat({
            title: 'Users online',
            description:
              'Users with a live connection on any instance (read from Redis; every instance reports the same).',
            query: { expr: `max (realtime_online_users{${S}})` },
            noValue: '0',
          }),
          stat({
            title: 'Delivery lag p99',
            description: 'Publish (Redis clock) to the write on the client connection, live events.',
            unit: 's',
            query: { expr: quantile(0.99, 'realtime_delivery_lag_seconds', S) },
            steps: [
              { value: 0.25, color: 'orange' },
              { value: 1, color: 'red' },
            ],
          }),
          stat({
            title: 'Slow clients dropped (time range)',
            description:
              'Connections closed because the client stopped reading (unsent data over the bound).',
            query: {
              expr: `sum (${increaseOverRange('realtime_clients_dropped_total', sel('reason="slow_client"'))})`,
            },
            noValue: '0',
            steps: [{ value: 1, color: 'orange' }],
          }),
        ],
      },
      {
        title: 'Delivery',
        panels: [
          timeseries({
            title: 'Events published and delivered',
            description:
              'Published: events written to users’ feeds (by type). Delivered: events written to client connections (a user with two tabs counts twice), live or replayed.',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (type) (${rate('realtime_events_published_total', S)})`,
                legend: 'published {{type}}',
              },
              {
                expr: `sum by (transport) (${rate('realtime_events_delivered_total', S)})`,
                legend: 'delivered {{transport}}',
              },
            ],
          }),
          latency({
            title: 'Delivery lag by transport',
            description: 'From the publish to the write on the client connection (live events, not replays).',
            histogram: 'realtime_delivery_lag_seconds',
            matchers: S,
            by: ['transport'],
            quantiles: [0.5, 0.99],
          }),
          timeseries({
            title: 'Replayed and invalid events',
            description:
              'Replayed: events a reconnecting client had missed, sent on resume. Invalid: events from Redis dropped (unknown type or data its schema rejects).',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (transport) (${rate('realtime_events_replayed_total', S)})`,
                legend: 'replayed {{transport}}',
              },
              {
                expr: `sum by (type) (${rate('realtime_invalid_events_total', S)})`,
                legend: 'invalid {{type}}',
              },
            ],
          }),
        ],
      },
      {
        title: 'Connections',
        panels: [
          timeseries({
            title: 'Connected clients by transport',
            description: 'Open live connections per instance and transport.',
            queries: [
              {
                expr: `sum by (instance, transport) (realtime_connected_clients{${S}})`,
                legend: '{{instance}} {{transport}}',
              },
            ],
          }),
          timeseries({
            title: 'Dropped clients by reason',
            description: 'slow_client: stopped reading; heartbeat_timeout: no answer to a ping.',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (transport, reason) (${rate('realtime_clients_dropped_total', S)})`,
                legend: '{{transport}} {{reason}}',
              },
            ],
          }),
          timeseries({
            title: 'Refused connections by reason',
            description:
              'unauthenticated (401), origin (403, cross-site page), bad_request (400, cursor), connection_limit (429), unavailable and draining (503).',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (transport, reason) (${rate('realtime_connections_rejected_total', S)})`,
                legend: '{{transport}} {{reason}}',
              },
            ],
          }),
          timeseries({
            title: 'Presence changes',
            description:
              'Users coming online (first connection) and going offline (last one closed, or expired).',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (change) (${rate('realtime_presence_changes_total', S)})`,
                legend: '{{change}}',
              },
            ],
          }),
        ],
      },
    ],
  });
