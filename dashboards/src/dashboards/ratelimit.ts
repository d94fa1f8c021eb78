// @rnh/ratelimit: decisions by policy and reason, near-limit, decisions made without Redis.
import { buildDashboard } from '../dashboard.js';
import { latency, stat, timeseries } from '../panels.js';
import { increaseOverRange, rate, ratio, sel } from '../promql.js';
import { labelVariable } from '../variables.js';

const P = sel('policy=~"$policy"');
const decisions = (matchers: string) => rate('ratelimit_decisions_total', matchers ? `${P}, ${matchers}` : P);
const overRange = (matchers: string) =>
  `sum (${increaseOverRange('ratelimit_decisions_total', `${P}, ${matchers}`)})`;

export const ratelimit = () =>
  buildDashboard({
    uid: 'rnh-ratelimit',
    title: 'RNH / Rate limiting',
    description:
      'Rate-limit decisions (@rnh/ratelimit) by policy, outcome and reason; near-limit; decisions made without Redis (fail open, fail closed); shadow mode.',
    tags: ['ratelimit'],
    variables: [labelVariable('policy', 'policy', 'ratelimit_decisions_total{app=~"$app"}', 'Policy')],
    rows: [
      {
        title: 'Decisions',
        panels: [
          stat({
            title: 'Denied share',
            description: 'Denied decisions of all decisions, selected policies.',
            query: { expr: ratio(`sum (${decisions('outcome="denied"')})`, `sum (${decisions('')})`) },
            unit: 'percentunit',
          }),
          stat({
            title: 'Failed open (time range)',
            description: 'Requests let through without a check because Redis was unreachable.',
            query: { expr: overRange('reason="fail_open"') },
            noValue: '0',
            steps: [{ value: 1, color: 'orange' }],
          }),
          stat({
            title: 'Failed closed (time range)',
            description: 'Requests refused because Redis was unreachable (auth, signup, mail policies).',
            query: { expr: overRange('reason="fail_closed"') },
            noValue: '0',
            steps: [{ value: 1, color: 'red' }],
          }),
          stat({
            title: 'Near limit (time range)',
            description: 'Allowed decisions after which some policy had 80 % or more of its quota used.',
            query: { expr: `sum (${increaseOverRange('ratelimit_near_limit_total', P)})` },
            noValue: '0',
          }),
          timeseries({
            title: 'Decisions by policy and outcome',
            description: 'Decisions per second.',
            unit: 'ops',
            queries: [
              { expr: `sum by (policy, outcome) (${decisions('')})`, legend: '{{policy}} {{outcome}}' },
            ],
          }),
          timeseries({
            title: 'Denials by policy and reason',
            description:
              'limited: over quota (Redis said no); local_block: denied from the in-process deny cache; fail_closed: Redis unreachable.',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (policy, reason) (${decisions('outcome="denied"')})`,
                legend: '{{policy}} {{reason}}',
              },
            ],
          }),
          timeseries({
            title: 'Decisions without Redis',
            description:
              'fail_open lets the request through, fail_closed refuses it (per policy). Alerts after 2 minutes.',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (policy, reason) (${decisions('reason=~"fail_open|fail_closed"')})`,
                legend: '{{policy}} {{reason}}',
              },
            ],
          }),
          timeseries({
            title: 'Shadow mode and near limit',
            description:
              'Requests a limiter in shadow mode would have refused (let through), and allowed decisions at 80 % of a quota.',
            unit: 'ops',
            queries: [
              { expr: `sum by (policy) (${decisions('reason="shadow"')})`, legend: 'shadow {{policy}}' },
              {
                expr: `sum by (policy) (${rate('ratelimit_near_limit_total', P)})`,
                legend: 'near limit {{policy}}',
              },
            ],
          }),
          timeseries({
            title: 'Denied share by policy',
            description: 'Denied decisions of all decisions, per policy.',
            unit: 'percentunit',
            min: 0,
            max: 1,
            queries: [
              {
                expr: ratio(
                  `sum by (policy) (${decisions('outcome="denied"')})`,
                  `sum by (policy) (${decisions('')})`,
                ),
                legend: '{{policy}}',
              },
            ],
          }),
          timeseries({
            title: 'Local deny cache',
            description: 'Keys denied in-process without a Redis call until their retry-after.',
            queries: [
              {
                expr: `sum by (instance, policy) (ratelimit_local_deny_entries{${P}})`,
                legend: '{{instance}} {{policy}}',
              },
            ],
          }),
        ],
      },
      {
        title: 'Latency',
        panels: [
          latency({
            title: 'Decision latency p99 by policy',
            description: 'Decisions that went to Redis (one script call), failures and timeouts included.',
            histogram: 'ratelimit_decision_duration_seconds',
            matchers: P,
            by: ['policy'],
            quantiles: [0.99],
          }),
          latency({
            title: 'Decision latency',
            description: 'p50, p95, p99 of decisions that went to Redis.',
            histogram: 'ratelimit_decision_duration_seconds',
            matchers: P,
          }),
        ],
      },
    ],
  });
