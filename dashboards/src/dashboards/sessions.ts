// @rnh/sessions and the api's sign-ins: sessions, logins, one-time and refresh tokens.
import { buildDashboard } from '../dashboard.js';
import { stat, timeseries } from '../panels.js';
import { increaseOverRange, rate, ratio, sel } from '../promql.js';

const S = sel();

export const sessions = () =>
  buildDashboard({
    uid: 'rnh-sessions',
    title: 'RNH / Sessions and auth',
    description:
      'Sessions in Redis (@rnh/sessions), password sign-ins, one-time tokens (email verification, password reset, invites) and refresh-token families.',
    tags: ['sessions', 'auth'],
    rows: [
      {
        title: 'Overview',
        panels: [
          stat({
            title: 'Active sessions',
            description:
              'Session keys in Redis (SCAN at scrape time, cached 15 s); every api instance counts the same keys.',
            query: { expr: `max (sessions_active{${S}})` },
          }),
          stat({
            title: 'Sign-ins (time range)',
            description: 'Successful password sign-ins (cookie or token exchange).',
            query: { expr: `sum (${increaseOverRange('auth_logins_total', sel('outcome="success"'))})` },
            noValue: '0',
          }),
          stat({
            title: 'Failed sign-ins (time range)',
            description: 'Sign-ins refused for invalid credentials.',
            query: {
              expr: `sum (${increaseOverRange('auth_logins_total', sel('outcome="invalid_credentials"'))})`,
            },
            noValue: '0',
          }),
          stat({
            title: 'Refresh-token reuse (time range)',
            description:
              'Rotated refresh tokens presented again: each revoked its whole family. A stolen token, or a buggy client.',
            query: { expr: `sum (${increaseOverRange('refresh_token_reuse_detected_total', S)})` },
            noValue: '0',
            steps: [{ value: 1, color: 'red' }],
          }),
        ],
      },
      {
        title: 'Sessions and sign-ins',
        panels: [
          timeseries({
            title: 'Active sessions',
            description: 'Session keys in Redis.',
            queries: [{ expr: `max (sessions_active{${S}})`, legend: 'sessions' }],
          }),
          timeseries({
            title: 'Sessions created, destroyed, revoked',
            description:
              'Created: first save (sign-up, sign-in). Destroyed: sign-out, regenerate, destroy. Revoked through the per-user index, by scope (one, others, all).',
            unit: 'ops',
            queries: [
              { expr: `sum (${rate('sessions_created_total', S)})`, legend: 'created' },
              { expr: `sum (${rate('sessions_destroyed_total', S)})`, legend: 'destroyed' },
              { expr: `sum by (scope) (${rate('sessions_revoked_total', S)})`, legend: 'revoked {{scope}}' },
            ],
          }),
          timeseries({
            title: 'Sign-ins by outcome',
            description: 'Password sign-ins per second.',
            unit: 'ops',
            queries: [{ expr: `sum by (outcome) (${rate('auth_logins_total', S)})`, legend: '{{outcome}}' }],
          }),
          timeseries({
            title: 'Failed sign-in share',
            description:
              'invalid_credentials of all sign-in attempts: a jump is password guessing (see the auth rate limit).',
            unit: 'percentunit',
            min: 0,
            max: 1,
            queries: [
              {
                expr: ratio(
                  `sum (${rate('auth_logins_total', sel('outcome="invalid_credentials"'))})`,
                  `sum (${rate('auth_logins_total', S)})`,
                ),
                legend: 'failed',
              },
            ],
          }),
        ],
      },
      {
        title: 'Tokens',
        panels: [
          timeseries({
            title: 'Tokens issued and consumed by kind',
            description:
              'One-time tokens issued and redeemed; kind="refresh" issued counts new refresh-token families.',
            unit: 'ops',
            queries: [
              { expr: `sum by (kind) (${rate('tokens_issued_total', S)})`, legend: 'issued {{kind}}' },
              { expr: `sum by (kind) (${rate('tokens_consumed_total', S)})`, legend: 'consumed {{kind}}' },
            ],
          }),
          timeseries({
            title: 'Tokens rejected by kind and reason',
            description: 'malformed, expired_or_used, wrong_purpose, unknown.',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (kind, reason) (${rate('tokens_rejected_total', S)})`,
                legend: '{{kind}} {{reason}}',
              },
            ],
          }),
          timeseries({
            title: 'Refresh tokens: rotations and reuse',
            description:
              'Refresh tokens exchanged for a successor, and reuse detections (each revokes a family).',
            unit: 'ops',
            queries: [
              { expr: `sum (${rate('refresh_token_rotations_total', S)})`, legend: 'rotations' },
              { expr: `sum (${rate('refresh_token_reuse_detected_total', S)})`, legend: 'reuse detected' },
            ],
          }),
          timeseries({
            title: 'Maintenance: entries pruned in the last hour',
            description:
              'Dead entries removed by the hourly prune jobs of the worker (maintenance queue): ended sessions in the per-user index, spent one-time tokens, gone refresh-token families.',
            queries: [
              {
                expr: `sum by (kind) (increase(session_maintenance_pruned_total{${S}}[1h]))`,
                legend: '{{kind}}',
              },
            ],
          }),
        ],
      },
    ],
  });
