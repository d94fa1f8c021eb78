// The must-show: Redis commands issued while serving an HTTP request become spans under
// the request's span, and no span holds a value, session id or token. The app runs the
// way the real apps do, `node --import <compiled instrumentation entry> app.mjs`, with an
// ESM Express app, a real redis-server, and spans exported over OTLP/HTTP to a local
// receiver (test/helpers/otlp-receiver.ts). The compiled entry comes from
// test/global-setup.ts.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  freePort,
  startAppProcess,
  startRedisServer,
  uniquePrefix,
  type AppProcess,
  type RedisServerHandle,
} from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageDir, testDistDir } from './global-setup.js';
import {
  OTLP_KIND,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from './helpers/otlp-receiver.js';

const SECRET_TOKEN = 'tok_9fQ2xLr7WbK3mZ8vNc4Hs1Ty';
const SECRET_VALUE = '{"userId":"u-7731","email":"ada@example.com","password":"hunter2-secret"}';

describe('traces of a real app started with --import @rnh/telemetry/instrumentation', () => {
  let redis: RedisServerHandle;
  let receiver: OtlpReceiver;
  let app: AppProcess;
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  let spans: ReceivedSpan[];
  let itemTraceId: string;
  let openMetrics: string;
  const prefix = uniquePrefix('tel');
  const redactedPrefix = 'test:tel:?:'; // uniquePrefix's random hex part is redacted

  beforeAll(async () => {
    [redis, receiver] = await Promise.all([startRedisServer(), startOtlpReceiver()]);
    const port = await freePort();
    app = await startAppProcess({
      cwd: packageDir,
      args: [
        '--import',
        pathToFileURL(join(testDistDir, 'instrumentation.js')).href,
        join(packageDir, 'test/fixtures/traced-app.mjs'),
      ],
      port,
      env: {
        PORT: String(port),
        REDIS_PORT: String(redis.port),
        KEY_PREFIX: prefix,
        SECRET_TOKEN,
        SECRET_VALUE,
        OTEL_SERVICE_NAME: 'traced-fixture',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        // Nothing is exported before shutdown, so the test also proves SIGTERM flushes.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      },
    });

    const item = await fetch(`${app.url}/items/42`);
    expect(await item.json()).toEqual({ id: '42', stored: true });
    const scrape = await fetch(`${app.url}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0' },
    });
    openMetrics = await scrape.text();

    exit = await app.stop('SIGTERM');
    spans = receiver.spans();
    const server = spans.find(
      (span) => span.kind === OTLP_KIND.SERVER && span.attributes['url.path'] === '/items/42',
    );
    itemTraceId = server?.traceId ?? '';
  });

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await Promise.all([redis?.destroy(), receiver?.close()]);
  });

  it('flushes on SIGTERM and then ends by the signal, as the app would without telemetry', () => {
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(spans.length).toBeGreaterThan(0);
    expect(spans[0]?.resource['service.name']).toBe('traced-fixture');
    expect(spans[0]?.resource['service.version']).toBe('0.1.0');
  });

  it('records the HTTP server span with the route template', () => {
    const server = spans.find((span) => span.traceId === itemTraceId && span.kind === OTLP_KIND.SERVER);
    expect(server).toMatchObject({ name: 'GET /items/:id', parentSpanId: undefined });
    expect(server?.attributes['http.route']).toBe('/items/:id');
    expect(server?.attributes['http.response.status_code']).toBe(200);
  });

  it('puts the Redis commands of the request under the request span, with no span per Express layer', () => {
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const ancestry = (span: ReceivedSpan) => {
      const chain: ReceivedSpan[] = [];
      for (
        let parent = span.parentSpanId && byId.get(span.parentSpanId);
        parent;
        parent = parent.parentSpanId && byId.get(parent.parentSpanId)
      ) {
        chain.push(parent);
      }
      return chain;
    };
    for (const command of ['set', 'get']) {
      const redisSpan = spans.find((span) => span.traceId === itemTraceId && span.name === command);
      expect(redisSpan, `${command} span`).toBeDefined();
      expect(redisSpan?.kind).toBe(OTLP_KIND.CLIENT);
      const chain = ancestry(redisSpan as ReceivedSpan);
      // The command's parent is the request's span itself: no span per middleware in between.
      expect(chain).toHaveLength(1);
      expect(chain[0]).toMatchObject({ kind: OTLP_KIND.SERVER, name: 'GET /items/:id' });
      expect(redisSpan?.attributes['db.system.name']).toBe('redis');
      expect(redisSpan?.attributes['db.query.text']).toBe(`${command} ${redactedPrefix}session:?`);
    }
  });

  it('also traces Redis commands outside any request (worker-like), as root spans', () => {
    const worker = spans.find(
      (span) => span.name === 'set' && span.attributes['db.query.text'] === `set ${redactedPrefix}worker:?`,
    );
    expect(worker).toBeDefined();
    expect(worker?.parentSpanId).toBeUndefined();
    expect(worker?.traceId).not.toBe(itemTraceId);
  });

  it('never exports the secret value, the session token or the raw key prefix', () => {
    const everything = receiver.rawBodies().join('\n');
    // The search covers the real payloads: the request's trace is in them.
    expect(itemTraceId).toMatch(/^[0-9a-f]{32}$/);
    expect(everything).toContain(itemTraceId);
    for (const secret of [
      SECRET_TOKEN,
      SECRET_VALUE,
      'hunter2-secret',
      'ada@example.com',
      'u-7731',
      prefix,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('links the HTTP duration histogram to the same trace with an exemplar', () => {
    const bucket = openMetrics
      .split('\n')
      .find(
        (line) =>
          line.startsWith('http_server_request_duration_seconds_bucket') &&
          line.includes('http_route="/items/:id"') &&
          line.includes(' # {'),
      );
    expect(bucket).toContain(`trace_id="${itemTraceId}"`);
    expect(openMetrics.endsWith('# EOF\n')).toBe(true);
  });

  it('stamps the trace ids on the log lines written during the request', () => {
    const line = app
      .output()
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry.msg === 'served item');
    expect(line?.trace_id).toBe(itemTraceId);
    expect(line?.span_id).toMatch(/^[0-9a-f]{16}$/);
  });
});
