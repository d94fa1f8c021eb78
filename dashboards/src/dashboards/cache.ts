// @rnh/cache: hit ratios by cache and layer, stale serves, loaders, coalescing, the L1, invalidations.
import { buildDashboard } from '../dashboard.js';
import { latency, stat, timeseries } from '../panels.js';
import { rate, ratio, sel } from '../promql.js';
import { labelVariable } from '../variables.js';

const C = sel('cache=~"$cache"');
const lookups = (matchers: string) => rate('cache_lookups_total', matchers ? `${C}, ${matchers}` : C);

/** Lookups that answer a caller: every L2 lookup plus the L1 hits (as in the recording rules). */
const requests = (by: string) =>
  `sum${by} (${lookups('layer="l2"')} or ${lookups('layer="l1", result="hit"')})`;
const answered = (by: string) => `sum${by} (${lookups('result=~"hit|stale"')})`;

export const cache = () =>
  buildDashboard({
    uid: 'rnh-cache',
    title: 'RNH / Cache',
    description:
      'The two-tier cache (@rnh/cache): L1 in each process, L2 in Redis. Hit ratios by cache (namespace) and layer, stale serves, loaders, coalescing, the L1 and invalidations.',
    tags: ['cache'],
    variables: [labelVariable('cache', 'cache', 'cache_lookups_total{app=~"$app"}', 'Cache')],
    rows: [
      {
        title: 'Hits',
        panels: [
          stat({
            title: 'Hit ratio',
            description:
              'Lookups answered from the cache (fresh or stale, L1 or L2) of all lookups, selected caches together. Alerts per cache: under 20 % for a minute (RnhCacheHitRatioCollapsed), under 50 % over 30 minutes (RnhCacheHitRatioLow).',
            query: { expr: ratio(answered(''), requests('')) },
            unit: 'percentunit',
            steps: [
              { value: 0, color: 'red' },
              { value: 0.5, color: 'orange' },
              { value: 0.8, color: 'green' },
            ],
          }),
          stat({
            title: 'Lookups',
            description: 'Lookups per second that answer a caller.',
            query: { expr: requests('') },
            unit: 'ops',
          }),
          stat({
            title: 'Stale serves',
            description: 'Values served past their TTL (within grace) per second, both layers.',
            query: { expr: `sum (${lookups('result="stale"')})` },
            unit: 'ops',
            noValue: '0',
          }),
          stat({
            title: 'Cache errors',
            description:
              'Failed cache operations per second (Redis errors, decode, encode, loader timeouts).',
            query: { expr: `sum (${rate('cache_errors_total', C)})` },
            unit: 'ops',
            noValue: '0',
            steps: [{ value: 0.01, color: 'red' }],
          }),
          timeseries({
            title: 'Hit ratio by cache',
            description: 'Answered from the cache (fresh or stale, either layer) of all lookups, per cache.',
            unit: 'percentunit',
            min: 0,
            max: 1,
            queries: [{ expr: ratio(answered(' by (cache)'), requests(' by (cache)')), legend: '{{cache}}' }],
          }),
          timeseries({
            title: 'Fresh hit ratio by cache and layer',
            description:
              'L1: share of lookups found fresh in the process. L2: share of L1 misses found fresh in Redis.',
            unit: 'percentunit',
            min: 0,
            max: 1,
            queries: [
              {
                expr: ratio(
                  `sum by (cache, layer) (${lookups('result="hit"')})`,
                  `sum by (cache, layer) (${lookups('')})`,
                ),
                legend: '{{cache}} {{layer}}',
              },
            ],
          }),
          timeseries({
            title: 'Lookups by layer and result',
            description: 'Lookups per second. A lookup skipped by the open circuit breaker counts as error.',
            unit: 'ops',
            stack: true,
            queries: [{ expr: `sum by (layer, result) (${lookups('')})`, legend: '{{layer}} {{result}}' }],
          }),
          timeseries({
            title: 'Stale serves and errors',
            description:
              'Stale values served per cache and layer, and failed operations per cache and operation.',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (cache, layer) (${lookups('result="stale"')})`,
                legend: 'stale {{cache}} {{layer}}',
              },
              {
                expr: `sum by (cache, operation) (${rate('cache_errors_total', C)})`,
                legend: 'error {{cache}} {{operation}}',
              },
            ],
          }),
        ],
      },
      {
        title: 'Loading',
        panels: [
          latency({
            title: 'Loader latency',
            description: 'Time spent in loaders (the database behind the cache), p50, p95, p99.',
            histogram: 'cache_loader_duration_seconds',
            matchers: C,
          }),
          latency({
            title: 'Loader latency p95 by cache',
            description: 'p95 of loader time per cache.',
            histogram: 'cache_loader_duration_seconds',
            matchers: C,
            by: ['cache'],
            quantiles: [0.95],
          }),
          timeseries({
            title: 'Coalescing',
            description:
              'Callers that joined a load already running in their process, misses that waited for another process (Redis lock), and waits that gave up and loaded locally.',
            unit: 'ops',
            width: 24,
            queries: [
              { expr: `sum by (cache) (${rate('cache_coalesced_total', C)})`, legend: 'coalesced {{cache}}' },
              {
                expr: `sum by (cache) (${rate('cache_lock_waits_total', C)})`,
                legend: 'lock waits {{cache}}',
              },
              {
                expr: `sum by (cache) (${rate('cache_lock_timeouts_total', C)})`,
                legend: 'lock timeouts {{cache}}',
              },
            ],
          }),
          timeseries({
            title: 'Reads served without Redis',
            description:
              'Reads answered while Redis could not be read (down, slow, or behind the open breaker): from the loader (the database takes the load the cache would have) or, in caches without an invalidation bus, from a stale L1 copy. Non-zero only during a Redis outage; see docs/runbooks.md#rnhredisdown for what users see.',
            unit: 'ops',
            width: 24,
            queries: [
              {
                expr: `sum by (cache, source) (${rate('cache_fallback_reads_total', C)})`,
                legend: '{{cache}} from {{source}}',
              },
            ],
          }),
        ],
      },
      {
        title: 'L1 and invalidation',
        panels: [
          timeseries({
            title: 'L1 entries',
            description: 'Entries held in each process (bounded by CACHE_L1_MAX_ENTRIES).',
            width: 6,
            queries: [
              { expr: `sum by (instance, cache) (cache_l1_entries{${C}})`, legend: '{{instance}} {{cache}}' },
            ],
          }),
          timeseries({
            title: 'L1 bytes',
            description: 'Encoded bytes held in each process (bounded by CACHE_L1_MAX_BYTES).',
            unit: 'bytes',
            width: 6,
            queries: [
              { expr: `sum by (instance, cache) (cache_l1_bytes{${C}})`, legend: '{{instance}} {{cache}}' },
            ],
          }),
          timeseries({
            title: 'L1 evictions',
            description:
              'Entries evicted per second to stay within the bounds: steady evictions mean the L1 is too small.',
            unit: 'ops',
            width: 6,
            queries: [
              { expr: `sum by (cache) (${rate('cache_l1_evictions_total', C)})`, legend: '{{cache}}' },
            ],
          }),
          timeseries({
            title: 'Invalidations',
            description: 'Invalidations per second by kind (key, tag, namespace).',
            unit: 'ops',
            width: 6,
            queries: [
              {
                expr: `sum by (cache, kind) (${rate('cache_invalidations_total', C)})`,
                legend: '{{cache}} {{kind}}',
              },
            ],
          }),
        ],
      },
    ],
  });
