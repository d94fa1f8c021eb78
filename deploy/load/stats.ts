// What a load run measured: requests by route template and status, latency quantiles, errors.

export type Outcome = '2xx' | '3xx' | '4xx' | '429' | '5xx' | 'error';

export interface RouteStats {
  /** Route template, e.g. `GET /orgs/:id`. */
  route: string;
  requests: number;
  byOutcome: Partial<Record<Outcome, number>>;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface LoadSummary {
  url: string;
  durationSeconds: number;
  requests: number;
  /** Requests per second actually started. */
  achievedRate: number;
  /** Requests whose turn came while every slot was busy (not sent). */
  skipped: number;
  byOutcome: Record<Outcome, number>;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  routes: RouteStats[];
  /** Network errors and timeouts by message, and unexpected statuses by route. */
  errors: Array<{ what: string; count: number }>;
}

export interface ProgressSnapshot {
  elapsedSeconds: number;
  requests: number;
  /** Requests per second since the previous snapshot. */
  rate: number;
  byOutcome: Record<Outcome, number>;
  /** p95 of the requests answered since the previous snapshot. */
  p95Ms: number;
  skipped: number;
}

export function outcomeOf(status: number | undefined): Outcome {
  if (status === undefined) return 'error';
  if (status === 429) return '429';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  return '2xx';
}

const OUTCOMES: Outcome[] = ['2xx', '3xx', '4xx', '429', '5xx', 'error'];
const emptyOutcomes = (): Record<Outcome, number> =>
  Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<Outcome, number>;

/** Nearest-rank quantile of sorted values; 0 when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export class LoadStats {
  private readonly routes = new Map<
    string,
    { durations: number[]; byOutcome: Partial<Record<Outcome, number>> }
  >();
  private readonly errors = new Map<string, number>();
  private readonly totals = emptyOutcomes();
  private all: number[] = [];
  private sinceSnapshot: number[] = [];
  private requestsAtSnapshot = 0;
  private lastSnapshotAt: number;
  skipped = 0;

  constructor(private readonly startedAt = performance.now()) {
    this.lastSnapshotAt = startedAt;
  }

  get requests(): number {
    return this.all.length;
  }

  record(route: string, status: number | undefined, durationMs: number): void {
    const outcome = outcomeOf(status);
    let entry = this.routes.get(route);
    if (!entry) this.routes.set(route, (entry = { durations: [], byOutcome: {} }));
    entry.durations.push(durationMs);
    entry.byOutcome[outcome] = (entry.byOutcome[outcome] ?? 0) + 1;
    this.totals[outcome]++;
    this.all.push(durationMs);
    this.sinceSnapshot.push(durationMs);
  }

  error(what: string): void {
    this.errors.set(what, (this.errors.get(what) ?? 0) + 1);
  }

  snapshot(now = performance.now()): ProgressSnapshot {
    const seconds = Math.max((now - this.lastSnapshotAt) / 1000, 1e-3);
    const recent = [...this.sinceSnapshot].sort((a, b) => a - b);
    const snapshot: ProgressSnapshot = {
      elapsedSeconds: (now - this.startedAt) / 1000,
      requests: this.requests,
      rate: (this.requests - this.requestsAtSnapshot) / seconds,
      byOutcome: { ...this.totals },
      p95Ms: quantile(recent, 0.95),
      skipped: this.skipped,
    };
    this.sinceSnapshot = [];
    this.requestsAtSnapshot = this.requests;
    this.lastSnapshotAt = now;
    return snapshot;
  }

  summary(url: string, now = performance.now()): LoadSummary {
    const durationSeconds = (now - this.startedAt) / 1000;
    const all = [...this.all].sort((a, b) => a - b);
    const routes: RouteStats[] = [...this.routes.entries()]
      .map(([route, entry]) => {
        const sorted = [...entry.durations].sort((a, b) => a - b);
        return {
          route,
          requests: sorted.length,
          byOutcome: entry.byOutcome,
          p50Ms: quantile(sorted, 0.5),
          p95Ms: quantile(sorted, 0.95),
          p99Ms: quantile(sorted, 0.99),
        };
      })
      .sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route));
    return {
      url,
      durationSeconds,
      requests: all.length,
      achievedRate: all.length / Math.max(durationSeconds, 1e-3),
      skipped: this.skipped,
      byOutcome: { ...this.totals },
      p50Ms: quantile(all, 0.5),
      p95Ms: quantile(all, 0.95),
      p99Ms: quantile(all, 0.99),
      routes,
      errors: [...this.errors.entries()]
        .map(([what, count]) => ({ what, count }))
        .sort((a, b) => b.count - a.count),
    };
  }
}

const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

export function formatProgress(snapshot: ProgressSnapshot): string {
  const o = snapshot.byOutcome;
  return (
    `[${snapshot.elapsedSeconds.toFixed(0).padStart(4)} s] ${snapshot.requests} requests, ` +
    `${snapshot.rate.toFixed(1)}/s, p95 ${ms(snapshot.p95Ms)} | 2xx ${o['2xx']} 4xx ${o['4xx']} ` +
    `429 ${o['429']} 5xx ${o['5xx']} errors ${o.error}` +
    (snapshot.skipped > 0 ? ` | skipped ${snapshot.skipped} (all slots busy)` : '')
  );
}

export function formatSummary(summary: LoadSummary): string {
  const o = summary.byOutcome;
  const lines = [
    `Load run against ${summary.url}: ${summary.requests} requests in ${summary.durationSeconds.toFixed(1)} s ` +
      `(${summary.achievedRate.toFixed(1)}/s)${summary.skipped > 0 ? `, ${summary.skipped} skipped (all slots busy: raise --concurrency)` : ''}`,
    `latency p50 ${ms(summary.p50Ms)}, p95 ${ms(summary.p95Ms)}, p99 ${ms(summary.p99Ms)}`,
    `2xx ${o['2xx']}, 3xx ${o['3xx']}, 4xx ${o['4xx']}, 429 ${o['429']}, 5xx ${o['5xx']}, errors ${o.error}`,
    '',
  ];
  const width = Math.max(5, ...summary.routes.map((route) => route.route.length));
  lines.push(
    `${'route'.padEnd(width)}  ${'count'.padStart(6)}  ${'2xx'.padStart(5)}  ${'4xx'.padStart(5)}  ${'429'.padStart(5)}  ` +
      `${'5xx'.padStart(5)}  ${'err'.padStart(4)}  ${'p50'.padStart(8)}  ${'p95'.padStart(8)}  ${'p99'.padStart(8)}`,
  );
  for (const route of summary.routes) {
    const c = (outcome: Outcome, pad: number) => String(route.byOutcome[outcome] ?? 0).padStart(pad);
    lines.push(
      `${route.route.padEnd(width)}  ${String(route.requests).padStart(6)}  ${c('2xx', 5)}  ${c('4xx', 5)}  ` +
        `${c('429', 5)}  ${c('5xx', 5)}  ${c('error', 4)}  ${ms(route.p50Ms).padStart(8)}  ` +
        `${ms(route.p95Ms).padStart(8)}  ${ms(route.p99Ms).padStart(8)}`,
    );
  }
  if (summary.errors.length > 0) {
    lines.push('', 'errors:');
    for (const error of summary.errors.slice(0, 20))
      lines.push(`  ${String(error.count).padStart(6)}  ${error.what}`);
    if (summary.errors.length > 20) lines.push(`  … and ${summary.errors.length - 20} more kinds`);
  }
  if (summary.requests > 0 && o['429'] / summary.requests > 0.2) {
    lines.push(
      '',
      `${o['429']} requests (${Math.round((o['429'] / summary.requests) * 100)} %) were refused with 429 rate_limited: ` +
        'the api limits each client address. For a load test, start it with higher limits, e.g. ' +
        'RATE_LIMIT_GLOBAL=100000/1m RATE_LIMIT_API=100000/1m RATE_LIMIT_AUTH=10000/1m RATE_LIMIT_SIGNUP=10000/1m ' +
        'RATE_LIMIT_EMAIL_USER=10000/1m RATE_LIMIT_EMAIL_ADDRESS=10000/1m.',
    );
  }
  return lines.join('\n');
}
