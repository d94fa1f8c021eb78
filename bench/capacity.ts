// `pnpm --filter @rnh/bench run capacity`: what one api instance and one Redis core can serve on
// this machine, per main route. It starts the built api (production settings; telemetry on and
// exporting to a local sink, unless --telemetry off) on a redis-server of its own, drives each
// route with keep-alive connections, and reads the CPU both processes spent: the api's from
// /proc, Redis's main thread from INFO cpu. CPU per request is what the arithmetic for N
// instances needs; requests per second on a 2-core machine shared with the load generator is
// only a floor. What the apps do with no request at all (queue workers polling, schedules) is
// measured first and left out.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TestUtils from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { KeepAliveClient } from './matrix/http-pool.js';
import {
  commandDelta,
  parseCommandStats,
  parseCpuSeconds,
  totalCalls,
  type ServerSnapshot,
} from './matrix/commandstats.js';
import { startOtlpSink } from './matrix/otlp-sink.js';
import { productionApiEnv } from './matrix/production-api-env.js';

const USAGE = `Usage: pnpm --filter @rnh/bench run capacity [-- --seconds N] [--connections N] [--telemetry off]

Measures, per main api route, requests/s of one api instance, the api's and Redis's CPU per
request, and what that means for N instances: which saturates first. Needs the api built
(pnpm turbo run build --filter=@rnh/api...) and redis-server installed. About 2 minutes.

  --seconds N       measuring time per route (default 10; 2 s of warm-up come first)
  --connections N   keep-alive connections in flight (default 32; sign-in uses 4)
  --telemetry off   the OTel SDK off (OTEL_SDK_DISABLED=true), to see what tracing costs
                    (default on: every span exported over OTLP/HTTP to a local sink)`;

const API_DIR = fileURLToPath(new URL('../apps/api/', import.meta.url));
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const REDIS_USER = 'capacity-api';
const REDIS_PASSWORD = 'capacity-redis-password-0123456789';

interface Options {
  seconds: number;
  connections: number;
  telemetry: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { seconds: 10, connections: 32, telemetry: true };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const [flag, inline] = arg.split('=', 2);
    if (flag === '--seconds' || flag === '--connections') {
      const value = Number(inline ?? argv[(i += 1)]);
      if (!Number.isInteger(value) || value < 1) fail(`${flag} takes a positive whole number`);
      options[flag === '--seconds' ? 'seconds' : 'connections'] = value;
    } else if (flag === '--telemetry') {
      const value = inline ?? argv[(i += 1)];
      if (value !== 'on' && value !== 'off') fail('--telemetry takes on or off');
      options.telemetry = value === 'on';
    } else fail(`unknown option ${JSON.stringify(arg)} (see --help)`);
  }
  return options;
}

function fail(message: string): never {
  process.stderr.write(`capacity: ${message}\n`);
  process.exit(2);
}

interface Route {
  name: string;
  connections?: number;
  request(client: KeepAliveClient, fixture: Fixture): Promise<number>;
}

interface Fixture {
  bearer: string;
  cookie: string;
  orgId: string;
  credentials: { email: string; password: string };
}

// Behind a TLS-terminating proxy in production: the api sets Secure cookies and says so.
const FORWARDED = { 'x-forwarded-proto': 'https' };
const JSON_BODY = { 'content-type': 'application/json', ...FORWARDED };

const ROUTES: Route[] = [
  {
    name: 'GET /orgs/:id (Bearer; cached organization)',
    request: async (client, { bearer, orgId }) =>
      (await client.get(`/orgs/${orgId}`, { authorization: bearer, ...FORWARDED })).status,
  },
  {
    name: 'GET /me (session cookie; cached profile)',
    request: async (client, { cookie }) => (await client.get('/me', { cookie, ...FORWARDED })).status,
  },
  {
    name: 'GET /orgs (Bearer; a database query)',
    request: async (client, { bearer }) =>
      (await client.get('/orgs', { authorization: bearer, ...FORWARDED })).status,
  },
  {
    name: 'POST /auth/login (scrypt at the production cost)',
    connections: 4,
    request: async (client, { credentials }) =>
      (await client.send('POST', '/auth/login', JSON_BODY, JSON.stringify(credentials))).status,
  },
];

async function loadTestUtils() {
  const entry = import.meta.resolve('@rnh/test-utils');
  // Not the package entry: it also exports Vitest fixtures, which load only inside a test run.
  const [{ startAppProcess }, { freePort }, { startRedisServer }] = await Promise.all([
    import(new URL('./app-process.js', entry).href) as Promise<typeof TestUtils>,
    import(new URL('./free-port.js', entry).href) as Promise<typeof TestUtils>,
    import(new URL('./redis-server.js', entry).href) as Promise<typeof TestUtils>,
  ]);
  return { startAppProcess, freePort, startRedisServer };
}

/** CPU seconds a process has used (user + system), from /proc/<pid>/stat. */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ": state is field 0, utime field 11, stime field 12.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function snapshot(redis: Redis, ownInfoCallsBefore: number): Promise<ServerSnapshot> {
  const info = await redis.info('all');
  return { commands: parseCommandStats(info), cpuSeconds: parseCpuSeconds(info), ownInfoCallsBefore };
}

async function setUp(url: string): Promise<Fixture> {
  const client = new KeepAliveClient(url, 1);
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const answer = await client.send('POST', path, { ...JSON_BODY, ...headers }, JSON.stringify(body), true);
    if (answer.status >= 300) throw new Error(`POST ${path}: HTTP ${answer.status} ${answer.body}`);
    return { body: JSON.parse(answer.body) as Record<string, unknown> };
  };
  try {
    const credentials = { email: 'capacity@example.com', password: 'a quiet heron sails at dawn, 42 times' };
    await post('/auth/signup', { ...credentials, displayName: 'Capacity' });
    // Every cookie the sign-in sets (the session, the device), as a browser keeps them.
    const login = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify(credentials),
    });
    if (login.status !== 200) throw new Error(`POST /auth/login: HTTP ${login.status} ${await login.text()}`);
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';', 1)[0])
      .join('; ');
    const tokens = (await post('/auth/token', credentials)).body as { accessToken: string };
    const bearer = `Bearer ${tokens.accessToken}`;
    const created = (
      await post('/orgs', { name: 'Capacity Org', description: 'measured' }, { authorization: bearer })
    ).body as { organization: { id: string } };
    return { bearer, cookie, orgId: created.organization.id, credentials };
  } finally {
    client.close();
  }
}

interface Measured {
  route: string;
  requestsPerSecond: number;
  apiCpuMsPerRequest: number;
  redisCpuUsPerRequest: number;
  redisCommandsPerRequest: number;
  errors: number;
}

async function measure(
  route: Route,
  url: string,
  fixture: Fixture,
  apiPid: number,
  redis: Redis,
  options: Options,
  infoCalls: { count: number },
  idle: IdleRates,
): Promise<Measured> {
  const connections = route.connections ?? options.connections;
  const client = new KeepAliveClient(url, connections);
  let counting = false;
  let done = 0;
  let errors = 0;
  let stop = false;
  const loop = async () => {
    while (!stop) {
      const status = await route.request(client, fixture).catch(() => 0);
      if (!counting) continue;
      if (status >= 200 && status < 300) done += 1;
      else errors += 1;
    }
  };
  const loops = Array.from({ length: connections }, loop);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const before = await snapshot(redis, infoCalls.count++);
  const apiBefore = processCpuSeconds(apiPid);
  const started = performance.now();
  counting = true;
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  counting = false;
  const seconds = (performance.now() - started) / 1000;
  const apiAfter = processCpuSeconds(apiPid);
  const after = await snapshot(redis, infoCalls.count++);
  stop = true;
  await Promise.all(loops);
  client.close();
  const requests = Math.max(done, 1);
  // What the apps do anyway (queue workers polling, schedules, metrics) is not the requests' cost.
  const perRequest = (total: number, idlePerSecond: number) =>
    Math.max(total - idlePerSecond * seconds, 0) / requests;
  return {
    route: route.name,
    requestsPerSecond: done / seconds,
    apiCpuMsPerRequest: perRequest((apiAfter - apiBefore) * 1000, idle.apiCpuMs),
    redisCpuUsPerRequest: perRequest((after.cpuSeconds - before.cpuSeconds) * 1e6, idle.redisCpuUs),
    redisCommandsPerRequest: perRequest(totalCalls(commandDelta(before, after)), idle.redisCommands),
    errors,
  };
}

/** Per second while no request comes: the api's CPU (ms), Redis's CPU (µs) and commands. */
interface IdleRates {
  apiCpuMs: number;
  redisCpuUs: number;
  redisCommands: number;
}

async function measureIdle(apiPid: number, redis: Redis, seconds: number, infoCalls: { count: number }) {
  const before = await snapshot(redis, infoCalls.count++);
  const apiBefore = processCpuSeconds(apiPid);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - started) / 1000;
  const after = await snapshot(redis, infoCalls.count++);
  return {
    apiCpuMs: ((processCpuSeconds(apiPid) - apiBefore) * 1000) / elapsed,
    redisCpuUs: ((after.cpuSeconds - before.cpuSeconds) * 1e6) / elapsed,
    redisCommands: totalCalls(commandDelta(before, after)) / elapsed,
  };
}

function table(rows: Measured[]): string {
  const header = [
    'route',
    'req/s (1 api)',
    'api CPU ms/req',
    'req/s per api core',
    'Redis µs/req',
    'Redis cmds/req',
    'req/s per Redis core',
  ];
  const lines = rows.map((row) => [
    row.route,
    row.requestsPerSecond.toFixed(0),
    row.apiCpuMsPerRequest.toFixed(2),
    (1000 / row.apiCpuMsPerRequest).toFixed(0),
    row.redisCpuUsPerRequest.toFixed(1),
    row.redisCommandsPerRequest.toFixed(1),
    (1e6 / row.redisCpuUsPerRequest).toFixed(0),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]!.length)),
  );
  const format = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    format(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...lines.map(format),
  ].join('\n');
}

async function main(): Promise<void> {
  // `pnpm run capacity -- --seconds 5` passes the `--` on.
  const options = parseOptions(process.argv.slice(2).filter((arg) => arg !== '--'));
  const { startAppProcess, freePort, startRedisServer } = await loadTestUtils();
  // Production refuses a Redis without a password: the api gets an ACL user of its own.
  const server = await startRedisServer({
    aclUsers: [`user ${REDIS_USER} on >${REDIS_PASSWORD} ~* &* +@all`],
  });
  const sink = await startOtlpSink();
  const dataDir = mkdtempSync(join(tmpdir(), 'rnh-capacity-'));
  const redis = new Redis({ host: server.host, port: server.port });
  const port = await freePort();
  let metricsPort = await freePort();
  while (metricsPort === port) metricsPort = await freePort();
  process.stdout.write(
    `Starting redis-server and the api (production settings, telemetry ${options.telemetry ? 'on' : 'off'})…\n`,
  );
  const api = await startAppProcess({
    cwd: API_DIR,
    port,
    readyTimeoutMs: 180_000,
    env: {
      ...productionApiEnv({
        port,
        metricsPort,
        dataDir,
        redisUrl: server.url,
        redisUser: REDIS_USER,
        redisPassword: REDIS_PASSWORD,
        name: 'capacity',
      }),
      // Every request comes from one address: the limiters decide each one but never deny.
      RATE_LIMIT_GLOBAL: '50000000/1m',
      RATE_LIMIT_API: '50000000/1m',
      RATE_LIMIT_AUTH: '50000000/1m',
      RATE_LIMIT_AUTH_ACCOUNT: '50000000/1m',
      ...(options.telemetry
        ? { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint }
        : { OTEL_SDK_DISABLED: 'true' }),
    },
  });
  const results: Measured[] = [];
  try {
    const fixture = await setUp(api.url);
    const infoCalls = { count: 0 };
    process.stdout.write(`Measuring what the api does with no requests, for ${options.seconds} s…\n`);
    const idle = await measureIdle(api.child.pid!, redis, options.seconds, infoCalls);
    process.stdout.write(
      `  api ${idle.apiCpuMs.toFixed(1)} ms CPU/s, Redis ${idle.redisCpuUs.toFixed(0)} µs CPU/s and ${idle.redisCommands.toFixed(1)} commands/s (left out of the figures below)\n`,
    );
    for (const route of ROUTES) {
      process.stdout.write(`Measuring ${route.name} for ${options.seconds} s…\n`);
      const result = await measure(route, api.url, fixture, api.child.pid!, redis, options, infoCalls, idle);
      results.push(result);
      process.stdout.write(
        `  ${result.requestsPerSecond.toFixed(0)} req/s, api ${result.apiCpuMsPerRequest.toFixed(2)} ms CPU/req, ` +
          `Redis ${result.redisCpuUsPerRequest.toFixed(1)} µs CPU/req${result.errors ? `, ${result.errors} errors` : ''}\n`,
      );
    }
  } finally {
    redis.disconnect();
    await api.stop();
    await sink.close();
    await server.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${table(results)}\n\n`);
  for (const row of results) {
    const apiCore = 1000 / row.apiCpuMsPerRequest;
    const redisCore = 1e6 / row.redisCpuUsPerRequest;
    process.stdout.write(
      `${row.route}: one Redis core keeps up with ${Math.floor(redisCore / apiCore)} api cores ` +
        `(${redisCore.toFixed(0)} / ${apiCore.toFixed(0)} req/s); the api saturates first below that.\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`capacity: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
