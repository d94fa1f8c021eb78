import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTracing } from '../test/helpers/tracing.js';
import { httpMetricsMiddleware, HTTP_SERVER_DURATION } from './http-metrics.js';
import { createMetricsRegistry } from './metrics-registry.js';

/** The `_count` samples of the duration histogram, keyed by their label set. */
async function counts(registry: Registry): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === HTTP_SERVER_DURATION);
  const result: Record<string, number> = {};
  for (const value of metric?.values ?? []) {
    if ((value as { metricName?: string }).metricName !== `${HTTP_SERVER_DURATION}_count`) continue;
    const { http_request_method, http_route, http_response_status_code } = value.labels;
    result[`${http_request_method} ${http_route} ${http_response_status_code}`] = value.value;
  }
  return result;
}

describe('httpMetricsMiddleware', () => {
  const tracing = startTestTracing();
  const registry = createMetricsRegistry({ collectDefaultMetrics: false });
  let server: Server;
  let base = '';

  beforeAll(async () => {
    const app = express();
    // Stands in for the HTTP instrumentation: every request runs inside a sampled span.
    app.use((_req, _res, next) => tracing.tracer.startActiveSpan('request', (span) => (next(), span.end())));
    app.use(httpMetricsMiddleware(registry, { ignorePaths: ['/health'] }));
    app.get('/health', (_req, res) => void res.send('ok'));
    app.get('/users/:id', (_req, res) => void res.json({}));
    const admin = express.Router();
    admin.post('/users/:id/ban', (_req, res) => void res.status(403).json({}));
    app.use('/admin', admin);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await tracing.stop();
  });

  it('labels requests by route template, method and status, never by raw URL', async () => {
    await fetch(`${base}/users/42?token=secret`);
    await fetch(`${base}/users/43`);
    await fetch(`${base}/admin/users/7/ban`, { method: 'POST' });
    await fetch(`${base}/no/such/path/abc123`);
    await fetch(`${base}/users/44`, { method: 'PROPFIND' });
    await fetch(`${base}/health`);

    // Recorded on the response's 'finish', which may trail the client seeing the response.
    await expect
      .poll(() => counts(registry))
      .toEqual({
        'GET /users/:id 200': 2,
        'POST /admin/users/:id/ban 403': 1,
        'GET unmatched 404': 1,
        '_OTHER unmatched 404': 1,
      });
    const text = await registry.metrics();
    expect(text).not.toMatch(/abc123|secret|users\/42/);
  });

  it('links the histogram to the trace with an exemplar', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/http_route="\/users\/:id".* # \{trace_id="[0-9a-f]{32}",span_id="[0-9a-f]{16}"\} /);
  });

  it('shares one histogram between middlewares on the same registry', () => {
    expect(() => httpMetricsMiddleware(registry)).not.toThrow();
  });

  it('works on a classic registry, without exemplars', async () => {
    const classic = new Registry();
    const app = express();
    app.use(httpMetricsMiddleware(classic));
    app.get('/ping', (_req, res) => void res.send('pong'));
    const local = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => local.once('listening', resolve));
    try {
      await fetch(`http://127.0.0.1:${(local.address() as AddressInfo).port}/ping`);
      expect(classic.getSingleMetric(HTTP_SERVER_DURATION)).toBeInstanceOf(Histogram);
      await expect.poll(() => counts(classic)).toEqual({ 'GET /ping 200': 1 });
    } finally {
      await new Promise((resolve) => local.close(resolve));
    }
  });
});
