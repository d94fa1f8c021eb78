// The api cells: the real api (apps/api, started as its own process the way its e2e tests start
// it) serving a cached GET route and an uncached one over HTTP, with telemetry on (the OTel SDK,
// exporting every span over OTLP/HTTP) and off (OTEL_SDK_DISABLED=true). Each api has a
// redis-server and a data directory of its own. Metrics are recorded in both: the api has no
// switch for them (they are scraped from their own listener).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TestUtils from '@rnh/test-utils';
import type { AppProcess } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import type { Operation } from '../../lib/measure.js';
import { describeError } from '../../lib/report.js';
import { withCellRedis, type BenchServer, type CellGroup, type CellInfo, type Context } from '../cell.js';
import { KeepAliveClient } from '../http-pool.js';
import { productionApiEnv } from '../production-api-env.js';
import { startOtlpSink, type OtlpSink } from '../otlp-sink.js';
import { runRatioCell, type MatrixContender } from '../ratio-cell.js';
import { skippedCell } from '../results.js';

const API_DIR = fileURLToPath(new URL('../../../apps/api/', import.meta.url));
const SOCKETS = 32;
const TARGET = 0.9;
const SETUP_ATTEMPTS = 10;
const API_REDIS_USER = 'bench-api';
const API_REDIS_PASSWORD = 'bench-api-redis-password-0123456789';

interface Route {
  cell: CellInfo;
  path(orgId: string): string;
}

const ROUTES: Route[] = [
  {
    cell: {
      id: 'api/cached',
      section: 'api',
      title: `GET /orgs/:id (organization details from @rnh/cache, L1 on) with a Bearer token, ${SOCKETS} keep-alive connections; telemetry on vs off`,
      params: { route: 'GET /orgs/:id', connections: SOCKETS },
      quick: true,
    },
    path: (orgId) => `/orgs/${orgId}`,
  },
  {
    cell: {
      id: 'api/uncached',
      section: 'api',
      title: `GET /orgs (the caller's memberships, a database query every time) with a Bearer token, ${SOCKETS} keep-alive connections; telemetry on vs off`,
      params: { route: 'GET /orgs', connections: SOCKETS },
    },
    path: () => '/orgs',
  },
];

type Telemetry = 'on' | 'off';

/** One running api: its process, its Redis, and the user, token and organization the routes read. */
interface RunningApi {
  telemetry: Telemetry;
  process: AppProcess;
  server: BenchServer;
  dataDir: string;
  bearer: string;
  orgId: string;
}

async function loadTestUtils(): Promise<Pick<typeof TestUtils, 'startAppProcess' | 'freePort'>> {
  const entry = import.meta.resolve('@rnh/test-utils');
  // Not the package entry: it also exports a Vitest fixture that refuses to load outside a test run.
  const [{ startAppProcess }, { freePort }] = await Promise.all([
    import(new URL('./app-process.js', entry).href) as Promise<Pick<typeof TestUtils, 'startAppProcess'>>,
    import(new URL('./free-port.js', entry).href) as Promise<Pick<typeof TestUtils, 'freePort'>>,
  ]);
  return { startAppProcess, freePort };
}

async function startApi(telemetry: Telemetry, server: BenchServer, sink: OtlpSink): Promise<RunningApi> {
  const { startAppProcess, freePort } = await loadTestUtils();
  const dataDir = mkdtempSync(join(tmpdir(), `rnh-bench-api-${telemetry}-`));
  const port = await freePort();
  let metricsPort = await freePort();
  while (metricsPort === port) metricsPort = await freePort();
  await grantApiUser(server);
  const env: Record<string, string> = {
    ...productionApiEnv({
      port,
      metricsPort,
      dataDir,
      redisUrl: server.url,
      redisUser: API_REDIS_USER,
      redisPassword: API_REDIS_PASSWORD,
      name: 'bench',
    }),
    REDIS_KEY_PREFIX: 'bench:',
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    // On and counting, but never denying: every request of the bench comes from one address.
    RATE_LIMIT_GLOBAL: '10000000/1m',
    RATE_LIMIT_API: '10000000/1m',
    ...(telemetry === 'on'
      ? { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint }
      : { OTEL_SDK_DISABLED: 'true' }),
  };
  const app = await startAppProcess({ cwd: API_DIR, port, env, readyTimeoutMs: 180_000 });
  try {
    const { bearer, orgId } = await signUpAndCreateOrg(app.url);
    return { telemetry, process: app, server, dataDir, bearer, orgId };
  } catch (error) {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Production refuses a Redis without a password: the api gets an ACL user of its own. */
async function grantApiUser(server: BenchServer): Promise<void> {
  const admin = new Redis({ host: server.host, port: server.port });
  try {
    await admin.acl('SETUSER', API_REDIS_USER, 'on', `>${API_REDIS_PASSWORD}`, '~*', '&*', '+@all');
  } finally {
    admin.disconnect();
  }
}

/** A user, their Bearer token and an organization they own, made through the api itself. */
async function signUpAndCreateOrg(url: string): Promise<{ bearer: string; orgId: string }> {
  const client = new KeepAliveClient(url, 1);
  // The api sits behind a TLS-terminating proxy in production; say the request came over HTTPS.
  const json = { 'content-type': 'application/json', 'x-forwarded-proto': 'https' };
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    for (let attempt = 1; ; attempt++) {
      const answer = await client.send('POST', path, { ...json, ...headers }, JSON.stringify(body), true);
      // A fail-closed limiter answers 503 when Redis is slow to answer (a busy machine): try again.
      if (answer.status === 503 && attempt < SETUP_ATTEMPTS) {
        await sleep(1000);
        continue;
      }
      // A retried sign-up may find the account made by the attempt whose answer was a 503.
      if (answer.status === 409 && attempt > 1 && path === '/auth/signup') return {};
      if (answer.status >= 300) throw new Error(`POST ${path}: HTTP ${answer.status} ${answer.body}`);
      return JSON.parse(answer.body) as Record<string, unknown>;
    }
  };
  try {
    const credentials = { email: 'bench-owner@example.com', password: 'bench: quiet heron sails at dawn 42' };
    await post('/auth/signup', { ...credentials, displayName: 'Bench Owner' });
    const tokens = (await post('/auth/token', credentials)) as { accessToken: string };
    const bearer = `Bearer ${tokens.accessToken}`;
    const created = (await post(
      '/orgs',
      { name: 'Bench Org', description: 'measured' },
      { authorization: bearer },
    )) as { organization: { id: string } };
    return { bearer, orgId: created.organization.id };
  } finally {
    client.close();
  }
}

function apiOutput(api: RunningApi): string {
  const output = api.process.output().trim();
  return `  telemetry ${api.telemetry}: ${output ? output.slice(-1500) : '(nothing)'}\n`;
}

async function stopApi(api: RunningApi): Promise<void> {
  await api.process.stop();
  rmSync(api.dataDir, { recursive: true, force: true });
}

function apiContender(api: RunningApi, route: Route): MatrixContender {
  let client: KeepAliveClient | undefined;
  return {
    id: `telemetry-${api.telemetry}`,
    label:
      api.telemetry === 'on'
        ? 'api, telemetry on (OTel SDK, every span exported over OTLP/HTTP)'
        : 'api, telemetry off (OTEL_SDK_DISABLED=true)',
    group: route.cell.title,
    role: api.telemetry === 'on' ? 'ours' : 'peer',
    probe: api.server.probe,
    async setup() {
      client = new KeepAliveClient(api.process.url, SOCKETS);
      const pool = client;
      const path = route.path(api.orgId);
      const headers = { authorization: api.bearer };
      const op: Operation = async () => {
        const answer = await pool.get(path, headers);
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status} from GET ${path}`);
      };
      await op(0);
      return op;
    },
    async close() {
      client?.close();
    },
  };
}

async function runApiCells(selected: CellInfo[], context: Context): Promise<void> {
  const routes = ROUTES.filter((route) => selected.includes(route.cell));
  if (!existsSync(join(API_DIR, 'dist', 'main.js'))) {
    for (const route of routes) {
      context.begin(route.cell);
      context.done(
        skippedCell(
          route.cell,
          'apps/api is not built (npm run bench builds it; or pnpm turbo run build --filter=@rnh/api...)',
        ),
      );
    }
    return;
  }
  const sink = await startOtlpSink();
  try {
    await withCellRedis(context, (onRedis) =>
      withCellRedis(context, async (offRedis) => {
        context.progress('starting the api twice (telemetry on, telemetry off)');
        const started = await Promise.allSettled([
          startApi('on', onRedis, sink),
          startApi('off', offRedis, sink),
        ]);
        const running = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
        const failed = started.find((outcome) => outcome.status === 'rejected');
        if (failed) {
          await Promise.all(running.map(stopApi));
          throw failed.reason;
        }
        const [on, off] = running as [RunningApi, RunningApi];
        try {
          for (const route of routes) {
            context.begin(route.cell);
            const result = await runRatioCell(
              {
                info: route.cell,
                contenders: [apiContender(on, route), apiContender(off, route)],
                comparisons: [{ ours: 'telemetry-on', peer: 'telemetry-off', atLeast: TARGET }],
                concurrency: SOCKETS,
                probe: onRedis.probe,
              },
              context,
            ).catch((error: unknown) => {
              throw new Error(
                `${describeError(error)}; what the apis printed:\n${apiOutput(on)}${apiOutput(off)}`,
                {
                  cause: error,
                },
              );
            });
            result.params = { ...result.params, otlpExportsSoFar: sink.exports() };
            context.done(result);
          }
        } finally {
          await Promise.all([stopApi(on), stopApi(off)]);
        }
      }),
    );
  } finally {
    await sink.close();
  }
}

export function apiGroup(): CellGroup {
  return { cells: ROUTES.map((route) => route.cell), run: runApiCells };
}
