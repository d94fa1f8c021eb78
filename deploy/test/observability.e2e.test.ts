// End to end: Redis, the built api and worker, a real Prometheus with our rules scraping them every
// second, and the load generator. Every dashboard panel must show data from what really happened
// (traffic, stale serves, rate-limit denials and shadow decisions, retried and dead-lettered mail, a
// Redis outage with fail-open and fail-closed decisions and reconnects), RnhRedisDown must fire
// while Redis is down, and the Redis and Cache dashboards are rendered as SVG from the same data.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { panelQueries } from '@rnh/dashboards';
import { metricNames } from '../../dashboards/src/promql.js';
import { startRedisServer, waitFor, type AppProcess, type RedisServerHandle } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiTestEnv,
  startApiProcess,
  startWorkerProcess,
  type ApiProcess,
} from '../../apps/api/test/support/api-env.js';
import { sampleSum, scrape } from '../../apps/api/test/support/metrics.js';
import { writeDashboardImages } from '../render/images.js';
import {
  formatProgress,
  formatSummary,
  PrometheusApi,
  renderPrometheusConfig,
  repoRoot,
  rulesDir,
  runLoad,
} from '../src/index.js';
import { stopApp } from './daemon.js';
import {
  startPrometheus,
  startSmtpServer,
  type PrometheusHandle,
  type SmtpHandle,
} from './observability-support.js';
import {
  familyServed,
  metricsOutsideTheApps,
  readYaml,
  servedSampleNames,
  yamlFiles,
  type RuleFile,
} from './support.js';

const LOAD_SECONDS = 18;
const cleanups: Array<() => Promise<unknown>> = [];
let redis: RedisServerHandle;
let api: ApiProcess;
let worker: AppProcess;
let smtp: SmtpHandle;
let prometheus: PrometheusHandle;
let prom: PrometheusApi;
let startedAt: number;
let outageSeconds = 0;

const seconds = () => Date.now() / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Everything the apps and Prometheus printed, for a failure message. */
function logs(): string {
  return [
    `--- api\n${api?.output().slice(-4000) ?? ''}`,
    `--- worker\n${worker?.output().slice(-4000) ?? ''}`,
    `--- prometheus\n${prometheus?.output().slice(-2000) ?? ''}`,
  ].join('\n');
}

/**
 * Waits until the alert fires. RnhRedisDown needs `redis_server_up == 0` scraped from the apps for
 * a minute: when their /metrics stops answering during the outage, the alert cannot fire, and this
 * says so after 20 s instead of waiting out the timeout.
 */
async function waitForAlert(name: string) {
  const deadline = Date.now() + 120_000;
  let downSince: number | undefined;
  for (;;) {
    const alert = (await prom.alerts()).find((a) => a.labels.alertname === name && a.state === 'firing');
    if (alert) return alert;
    const down = (await prom.targets()).filter((target) => target.health === 'down');
    if (down.length === 0) downSince = undefined;
    else downSince ??= Date.now();
    if (downSince !== undefined && Date.now() - downSince > 20_000)
      throw new Error(
        `${name} cannot fire: Prometheus has not scraped ${down.map((t) => t.labels.job).join(' and ')} for ` +
          `20 s while Redis is down, so redis_server_up == 0 is never recorded (${down
            .map((t) => `${t.labels.job}: ${t.lastError}`)
            .join('; ')}). /metrics must answer while Redis is unreachable.`,
      );
    if (Date.now() > deadline) throw new Error(`${name} did not fire within 120 s of Redis going down`);
    await sleep(1_000);
  }
}

beforeAll(async () => {
  // As in docker-compose.yml: a memory limit (the memory panels divide by it) and noeviction.
  redis = await startRedisServer({ args: ['--maxmemory', '256mb', '--maxmemory-policy', 'noeviction'] });
  cleanups.push(() => redis.destroy());
  smtp = await startSmtpServer();
  cleanups.push(() => smtp.stop());
  const env = apiTestEnv(redis.url, 'observability', {
    SMTP_URL: smtp.url,
    REDIS_MAX_RETRY_DELAY: '500',
    // Short TTLs with a long grace: entries go stale during the run and are served stale while
    // they refresh. A small L1 evicts.
    CACHE_TTL_SHORT: '2',
    CACHE_TTL_MEDIUM: '2',
    CACHE_TTL_LONG: '3',
    CACHE_GRACE_SECONDS: '300',
    CACHE_L1_TTL_SECONDS: '2',
    CACHE_L1_MAX_ENTRIES: '64',
    // Real limits where the traffic meets them: failed sign-ins per address and email are denied,
    // sign-ups beyond 10 a minute are only counted (shadow mode): a slow run signs up fewer.
    RATE_LIMIT_AUTH: '3/1m',
    RATE_LIMIT_SIGNUP: '10/1m',
    RATE_LIMIT_SHADOW: 'signup',
    // Above apiTestEnv's 2 s: under heavy load a fail-closed sign-in limiter that merely waited
    // would answer 503 after the recovery. While Redis is down it fails at once all the same.
    RATE_LIMIT_OPERATION_TIMEOUT_MS: '5000',
  });
  cleanups.push(async () => rmSync(env.API_DATA_DIR, { recursive: true, force: true }));
  api = await startApiProcess(env);
  cleanups.push(() => stopApp(api));
  worker = await startWorkerProcess(env);
  cleanups.push(() => stopApp(worker));
  prometheus = await startPrometheus(
    renderPrometheusConfig({
      targets: {
        api: [api.metricsUrl.replace('http://', '')],
        worker: [worker.url.replace('http://', '')],
      },
      scrapeInterval: '1s',
      evaluationInterval: '1s',
    }),
  );
  cleanups.push(() => prometheus.stop());
  prom = new PrometheusApi(prometheus.url);
  startedAt = Math.floor(seconds());
  await waitFor(
    async () => {
      const targets = await prom.targets();
      return targets.length === 2 && targets.every((target) => target.health === 'up');
    },
    { timeoutMs: 15_000, intervalMs: 250, what: 'Prometheus to scrape the api and the worker' },
  );
  const groups = await prom.rules();
  const broken = groups.flatMap((group) => group.rules.filter((rule) => rule.health === 'err'));
  expect(groups.length, 'rule groups loaded').toBeGreaterThan(0);
  expect(broken, 'rules that fail to evaluate').toEqual([]);
}, 600_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}, 60_000);

describe('observability: the dashboards and alerts against a real Prometheus', () => {
  it('serves a realistic load, with mail retried and dead-lettered', async () => {
    // Mail the SMTP server refuses: for now (retried with backoff) and for good (dead-lettered).
    for (const local of ['greylist', 'bounce']) {
      const response = await post('/auth/signup', {
        email: `${local}-${Date.now()}@example.com`,
        password: 'a-long-enough-password',
        displayName: local,
      });
      expect(response.status).toBe(201);
    }
    const summary = await runLoad(
      {
        url: api.url,
        durationSeconds: LOAD_SECONDS,
        rate: 40,
        concurrency: 16,
        users: 16,
        progressSeconds: 5,
      },
      { onProgress: (snapshot) => console.log(formatProgress(snapshot)) },
    );
    console.log(formatSummary(summary));
    // Enough traffic for every panel; how much a loaded 2-core machine serves is not the point here.
    expect(summary.requests).toBeGreaterThanOrEqual(40);
    expect(summary.byOutcome['5xx'], `5xx answers:\n${formatSummary(summary)}\n${logs()}`).toBe(0);
    expect(summary.byOutcome.error).toBe(0);
    expect(summary.byOutcome['2xx']).toBeGreaterThan(summary.requests * 0.8);
    await waitFor(() => smtp.refused.some((refusal) => refusal.code === 550), {
      timeoutMs: 10_000,
      what: 'the SMTP server to refuse the bounce address',
    });
  }, 90_000);

  it('fires RnhRedisDown while Redis is down; the apps fail open or closed as designed and recover', async () => {
    // An API client (Bearer tokens need no session store) with an organization to read.
    const email = `outage-${Date.now()}@example.com`;
    expect(
      (await post('/auth/signup', { email, password: 'redis-went-away-for-a-while', displayName: 'Outage' }))
        .status,
    ).toBe(201);
    const { accessToken } = await json<{ accessToken: string }>(
      await post('/auth/token', { email, password: 'redis-went-away-for-a-while' }),
    );
    const bearer = { authorization: `Bearer ${accessToken}` };
    const org = await json<{ organization: { id: string } }>(
      await post('/orgs', { name: 'Outage org' }, bearer),
    );
    const me = await json<{ user: { id: string } }>(await fetch(`${api.url}/me`, { headers: bearer }));
    const reads = [
      `/orgs/${org.organization.id}`,
      `/users/${me.user.id}`,
      `/orgs/${org.organization.id}/referrals`,
    ];
    for (const path of reads)
      expect((await fetch(`${api.url}${path}`, { headers: bearer })).status).toBe(200);

    await redis.kill();
    const killedAt = seconds();
    const statuses = new Map<string, number>();
    let outage = true;
    const traffic = (async () => {
      while (outage) {
        const answers = await Promise.all([
          ...reads.map((path) => fetch(`${api.url}${path}`, { headers: bearer })),
          post('/auth/login', { email, password: 'redis-went-away-for-a-while' }),
        ]).catch(() => []);
        for (const [index, response] of answers.entries()) {
          const key = `${index < reads.length ? 'read' : 'login'} ${response.status}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
        await sleep(250);
      }
    })();
    try {
      const firing = await waitForAlert('RnhRedisDown');
      expect(firing.labels.severity).toBe('critical');
      expect(firing.labels.node).toBe(`127.0.0.1:${redis.port}`);
    } catch (error) {
      // Go on (bring Redis back, check the panels) and fail at the end with the reason.
      expect.soft(undefined, (error as Error).message).toBeDefined();
    } finally {
      outage = false;
      await traffic;
    }
    // The API client kept reading all through the outage: its token was checked just before, so
    // the api trusts that answer for its outage grace period, and the reads came from the
    // database (the general limits fail open). Sign-ins were refused (closed).
    expect(statuses.get('read 200'), JSON.stringify([...statuses])).toBeGreaterThan(0);
    expect(statuses.get('read 503') ?? 0, JSON.stringify([...statuses])).toBe(0);
    expect(statuses.get('login 503'), JSON.stringify([...statuses])).toBeGreaterThan(0);
    // ... and the operator sees both: reads served without Redis, token checks from the grace period.
    const exposition = await scrape(api.metricsUrl);
    expect(sampleSum(exposition, 'cache_fallback_reads_total')).toBeGreaterThan(0);
    expect(sampleSum(exposition, 'access_token_checks_total', { layer: 'l1_grace' })).toBeGreaterThan(0);

    outageSeconds = Math.round(seconds() - killedAt);
    await redis.restart();
    for (const app of [api, worker])
      await waitFor(async () => (await fetch(`${app.url}/ready`)).status === 200, {
        timeoutMs: 20_000,
        intervalMs: 200,
        what: `${app.url}/ready after Redis came back`,
      });
    await waitFor(async () => (await prom.query('min(redis_server_up)'))[0]?.value[1] === '1', {
      timeoutMs: 20_000,
      intervalMs: 500,
      what: 'Prometheus to see Redis up again from both apps',
    });
    // The sign-in limiter decides again (its breaker probes once its connection is back: 200, or
    // 429 if the load's failed sign-ins used up the address's quota), then a little traffic after
    // the recovery answers without a 5xx.
    await waitFor(
      async () =>
        [200, 429].includes(
          (await post('/auth/login', { email, password: 'redis-went-away-for-a-while' })).status,
        ),
      { timeoutMs: 30_000, intervalMs: 500, what: 'a sign-in to succeed after Redis came back' },
    );
    const after = await runLoad({ url: api.url, durationSeconds: 4, rate: 30, users: 4, progressSeconds: 0 });
    expect(after.byOutcome['5xx'], formatSummary(after)).toBe(0);
  }, 180_000);

  it('every metric the dashboards and rules name is served by the real api or worker', async () => {
    const served = new Set(
      (
        await Promise.all([api.metricsUrl, worker.url].map((url) => servedSampleNames(`${url}/metrics`)))
      ).flatMap((names) => [...names]),
    );
    const ruleFiles = yamlFiles(rulesDir).map((file) => readYaml<RuleFile>(join(rulesDir, file)));
    const rules = ruleFiles.flatMap((file) => file.groups.flatMap((group) => group.rules));
    const recorded = new Set(rules.flatMap((rule) => (rule.record ? [rule.record] : [])));
    // Prometheus's `up` and redis_exporter's series: test/alerting.e2e.test.ts checks those.
    const elsewhere = metricsOutsideTheApps();
    const named = new Set([
      ...panelQueries({ app: 'api|worker', instance: '.*' }).flatMap((query) => metricNames(query.expr)),
      ...rules.flatMap((rule) => metricNames(rule.expr)),
    ]);
    const missing = [...named]
      .filter((name) => !recorded.has(name) && !elsewhere.has(name) && !familyServed(served, name))
      .sort();
    expect(missing, 'named in dashboards or rules but not on any /metrics').toEqual([]);
  });

  it('every panel of every dashboard shows data from the run', async () => {
    // One more scrape and rule evaluation, then everything since Prometheus started.
    await sleep(2_500);
    const end = Math.ceil(seconds());
    const empty: string[] = [];
    for (const query of panelQueries({ app: 'api|worker', instance: '.*' })) {
      let reason: string | undefined;
      try {
        const series = await prom.queryRange(query.expr, startedAt, end, 1);
        const values = series.flatMap((s) => s.values.map(([, value]) => Number(value)));
        if (series.length === 0) reason = 'no series';
        else if (!values.some(Number.isFinite)) reason = `${series.length} series, every value NaN`;
      } catch (error) {
        reason = (error as Error).message;
      }
      if (reason)
        empty.push(`${query.dashboard} / ${query.panel} [${query.refId}]: ${reason}\n    ${query.expr}`);
    }
    expect(empty, `panels without data:\n${empty.join('\n')}`).toEqual([]);

    // The Redis and Cache dashboards as images: into a temp dir, or into docs/images when asked.
    const outDir =
      process.env.RNH_WRITE_DASHBOARD_IMAGES === '1'
        ? join(repoRoot, 'docs', 'images')
        : mkdtempSync(join(tmpdir(), 'rnh-dashboard-images-'));
    const files = await writeDashboardImages({
      prometheus: prometheus.url,
      start: startedAt,
      end,
      step: 1,
      outDir,
      subtitle:
        `${end - startedAt} s of deploy/test/observability.e2e.test.ts: pnpm load for ${LOAD_SECONDS} s, then Redis ` +
        `killed for ${outageSeconds} s and restarted, then a little more load (a gap is a scrape that failed)`,
    });
    for (const file of files) {
      expect(existsSync(file)).toBe(true);
      const svg = readFileSync(file, 'utf8');
      expect(svg).toMatch(/^<svg /);
      expect(svg).not.toContain('>No data<');
    }
    if (!outDir.startsWith(repoRoot)) rmSync(outDir, { recursive: true, force: true });
  }, 60_000);
});
