// The api's HTTP traffic by route, and the process health of both apps.
import { buildDashboard } from '../dashboard.js';
import { latency, stat, timeseries } from '../panels.js';
import { quantile, rate, ratio, sel } from '../promql.js';
import { labelVariable } from '../variables.js';

const H = sel('http_route=~"$route"');
const requests = (matchers: string) =>
  rate('http_server_request_duration_seconds_count', matchers ? `${H}, ${matchers}` : H);
const HTTP = 'http_server_request_duration_seconds';
const S = sel();

export const api = () =>
  buildDashboard({
    uid: 'rnh-api',
    title: 'RNH / API',
    description:
      'HTTP requests of the api by route (Express route templates, never raw URLs): rate, errors, latency with exemplars; CPU, memory and event loop of the api and the worker.',
    tags: ['api', 'http'],
    variables: [
      labelVariable(
        'route',
        'http_route',
        'http_server_request_duration_seconds_count{app=~"$app"}',
        'Route',
      ),
    ],
    rows: [
      {
        title: 'Requests',
        panels: [
          stat({
            title: 'Requests',
            description: 'Requests per second, selected routes.',
            query: { expr: `sum (${requests('')})` },
            unit: 'reqps',
          }),
          stat({
            title: '5xx share',
            description: 'Server errors of all requests.',
            query: {
              expr: ratio(`sum (${requests('http_response_status_code=~"5.."')})`, `sum (${requests('')})`),
            },
            unit: 'percentunit',
            steps: [
              { value: 0.001, color: 'orange' },
              { value: 0.01, color: 'red' },
            ],
          }),
          stat({
            title: '4xx share',
            description: 'Client errors (validation, auth, 404, 429) of all requests.',
            query: {
              expr: ratio(`sum (${requests('http_response_status_code=~"4.."')})`, `sum (${requests('')})`),
            },
            unit: 'percentunit',
          }),
          stat({
            title: 'p95 latency',
            description: 'p95 of request duration, selected routes.',
            query: { expr: quantile(0.95, HTTP, H) },
            unit: 's',
            steps: [
              { value: 0.25, color: 'orange' },
              { value: 1, color: 'red' },
            ],
          }),
          timeseries({
            title: 'Requests by route',
            description: 'Requests per second by route template (unmatched: no route).',
            unit: 'reqps',
            queries: [{ expr: `sum by (http_route) (${requests('')})`, legend: '{{http_route}}' }],
          }),
          timeseries({
            title: 'Requests by status',
            description: 'Requests per second by status code (499: the client left first).',
            unit: 'reqps',
            stack: true,
            queries: [
              {
                expr: `sum by (http_response_status_code) (${requests('')})`,
                legend: '{{http_response_status_code}}',
              },
            ],
          }),
          timeseries({
            title: 'Server errors by route',
            description: '5xx responses per second by route and status.',
            unit: 'reqps',
            queries: [
              {
                expr: `sum by (http_route, http_response_status_code) (${requests('http_response_status_code=~"5.."')})`,
                legend: '{{http_route}} {{http_response_status_code}}',
              },
            ],
          }),
          timeseries({
            title: 'Error share by route',
            description: '5xx of all requests, per route.',
            unit: 'percentunit',
            min: 0,
            queries: [
              {
                expr: ratio(
                  `sum by (http_route) (${requests('http_response_status_code=~"5.."')})`,
                  `sum by (http_route) (${requests('')})`,
                ),
                legend: '{{http_route}}',
              },
            ],
          }),
        ],
      },
      {
        title: 'Latency',
        panels: [
          latency({
            title: 'Request latency',
            description:
              'p50, p95, p99 of all selected routes. Dots are exemplars: click for the trace of that request.',
            histogram: HTTP,
            matchers: H,
          }),
          latency({
            title: 'Request latency p95 by route',
            description: 'p95 per route template, with exemplars.',
            histogram: HTTP,
            matchers: H,
            by: ['http_route'],
            quantiles: [0.95],
          }),
          latency({
            title: 'Request latency p99 by route and method',
            description: 'p99 per route template and method, with exemplars.',
            histogram: HTTP,
            matchers: H,
            by: ['http_request_method', 'http_route'],
            quantiles: [0.99],
            width: 24,
          }),
        ],
      },
      {
        title: 'Processes (api and worker)',
        panels: [
          timeseries({
            title: 'CPU',
            description: 'CPU time per second of each process (1 = one core).',
            unit: 'percentunit',
            width: 6,
            queries: [
              {
                expr: `sum by (app, instance) (${rate('process_cpu_seconds_total', S)})`,
                legend: '{{app}} {{instance}}',
              },
            ],
          }),
          timeseries({
            title: 'Resident memory',
            description: 'Resident set size of each process.',
            unit: 'bytes',
            width: 6,
            queries: [{ expr: `process_resident_memory_bytes{${S}}`, legend: '{{app}} {{instance}}' }],
          }),
          timeseries({
            title: 'Heap used',
            description: 'V8 heap in use.',
            unit: 'bytes',
            width: 6,
            queries: [{ expr: `nodejs_heap_size_used_bytes{${S}}`, legend: '{{app}} {{instance}}' }],
          }),
          timeseries({
            title: 'Event loop lag p99',
            description: 'How late timers fire: a busy or blocked event loop delays every request and job.',
            unit: 's',
            width: 6,
            queries: [{ expr: `nodejs_eventloop_lag_p99_seconds{${S}}`, legend: '{{app}} {{instance}}' }],
          }),
        ],
      },
    ],
  });
