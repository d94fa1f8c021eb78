import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTracing } from '../test/helpers/tracing.js';
import { prefersOpenMetrics } from './accept.js';
import { metricsHandler } from './metrics-handler.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { activeTraceExemplar } from './trace-context.js';

/** What Prometheus 2.x/3.x sends by default. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('metricsHandler', () => {
  const tracing = startTestTracing();
  const registry = createMetricsRegistry({ defaultLabels: { app: 'test' } });
  const errors: unknown[] = [];
  const server = createServer(
    (req, res) => void metricsHandler(registry, { logger: { error: (d) => errors.push(d) } })(req, res),
  );
  let url = '';
  let traceId = '';

  beforeAll(async () => {
    url = `${await listen(server)}/metrics`;
    const histogram = new Histogram({
      name: 'work_duration_seconds',
      help: 'How long work took.',
      labelNames: ['kind'],
      buckets: [0.1, 1],
      registers: [registry],
      enableExemplars: true,
    });
    const counter = new Counter({
      name: 'work_done_total',
      help: 'Work done.',
      labelNames: ['kind'],
      registers: [registry],
    });
    tracing.tracer.startActiveSpan('work', (span) => {
      traceId = span.spanContext().traceId;
      histogram.observe({
        labels: { kind: 'a' },
        value: 0.05,
        exemplarLabels: activeTraceExemplar() as never,
      });
      span.end();
    });
    counter.inc({ kind: 'a' });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await tracing.stop();
  });

  it('serves OpenMetrics with the trace exemplar when Prometheus asks for it', async () => {
    const res = await fetch(url, { headers: { accept: PROMETHEUS_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
    const body = await res.text();
    expect(body.endsWith('# EOF\n')).toBe(true);
    const bucket = body.split('\n').find((line) => line.startsWith('work_duration_seconds_bucket{le="0.1"'));
    expect(bucket).toMatch(
      new RegExp(`# \\{trace_id="${traceId}",span_id="[0-9a-f]{16}"\\} 0\\.05 \\d+(\\.\\d+)?$`),
    );
    expect(body).toContain('# TYPE work_done counter\n');
    expect(body).toContain('work_done_total{kind="a",app="test"} 1');
    // Default process metrics are collected into the registry.
    expect(body).toContain('process_cpu_seconds_total');
  });

  it('serves the classic text format without exemplars by default', async () => {
    for (const accept of [
      undefined,
      '*/*',
      'text/plain;version=0.0.4',
      'text/html,application/xhtml+xml,*/*;q=0.8',
    ]) {
      const res = await fetch(url, accept ? { headers: { accept } } : {});
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const body = await res.text();
      expect(body).not.toContain('trace_id');
      expect(body).not.toContain('# EOF');
      expect(body).toContain('work_duration_seconds_bucket{le="0.1",app="test",kind="a"} 1\n');
      expect(body).toContain('# TYPE work_done_total counter\nwork_done_total{kind="a",app="test"} 1');
      expect(body).toContain('# TYPE process_cpu_seconds_total counter');
    }
  });

  it('answers concurrent scrapes of both formats consistently', async () => {
    const bodies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(url, i % 2 ? { headers: { accept: PROMETHEUS_ACCEPT } } : {}).then(async (res) => ({
          i,
          body: await res.text(),
        })),
      ),
    );
    for (const { i, body } of bodies) expect(body.includes('# EOF')).toBe(i % 2 === 1);
  });

  it('answers 500 with a short text and logs when collection fails', async () => {
    const broken = new Registry();
    new Counter({
      name: 'broken_total',
      help: 'Fails to collect.',
      registers: [broken],
      collect() {
        throw new Error('collector exploded');
      },
    });
    const failing = createServer(
      (req, res) => void metricsHandler(broken, { logger: { error: (d) => errors.push(d) } })(req, res),
    );
    const base = await listen(failing);
    try {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('metrics collection failed\n');
      expect(errors).toHaveLength(1);
    } finally {
      await new Promise((resolve) => failing.close(resolve));
    }
  });
});

describe('prefersOpenMetrics', () => {
  it('follows the Accept header', () => {
    expect(prefersOpenMetrics(PROMETHEUS_ACCEPT)).toBe(true);
    expect(prefersOpenMetrics('application/openmetrics-text; version=1.0.0; charset=utf-8')).toBe(true);
    expect(prefersOpenMetrics('application/openmetrics-text')).toBe(true);
    expect(prefersOpenMetrics('application/openmetrics-text;version=2.0.0,text/plain;q=0.5')).toBe(false);
    expect(prefersOpenMetrics('application/openmetrics-text;q=0.3,text/plain')).toBe(false);
    expect(prefersOpenMetrics('application/openmetrics-text;q=0')).toBe(false);
    expect(prefersOpenMetrics('*/*')).toBe(false);
    expect(prefersOpenMetrics(undefined)).toBe(false);
  });
});
