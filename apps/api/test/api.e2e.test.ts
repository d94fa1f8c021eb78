// The real api process, started the way users start it, spoken to over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  startAppProcess,
  startRedisServer,
  uncatalogedMetrics,
  uniquePrefix,
  type AppProcess,
  type RedisServerHandle,
} from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const apiDir = fileURLToPath(new URL('..', import.meta.url));
const metricCatalog = fileURLToPath(new URL('../../../docs/metrics.md', import.meta.url));
const baseEnv = { NODE_ENV: 'test', LOG_LEVEL: 'warn', OTEL_TRACES_EXPORTER: 'none' };

const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Each api process gets its own data directory (its embedded database allows one process), and
 * its metrics listener a port of its own.
 */
async function startApi(env: Record<string, string>): Promise<AppProcess & { metricsUrl: string }> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'rnh-api-'));
  dataDirs.push(dataDir);
  const api = await startAppProcess({
    cwd: apiDir,
    port,
    env: {
      ...baseEnv,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      API_METRICS_PORT: String(metricsPort),
      API_DATA_DIR: dataDir,
      ...env,
    },
  });
  return Object.assign(api, { metricsUrl: `http://127.0.0.1:${metricsPort}` });
}

describe('api process', () => {
  let redis: RedisServerHandle;
  let api: AppProcess & { metricsUrl: string };

  beforeAll(async () => {
    redis = await startRedisServer();
    api = await startApi({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('api') });
  });
  afterAll(async () => {
    await api?.stop();
    await redis?.destroy();
  });

  it('answers /health with the Redis status and latency', async () => {
    const res = await fetch(`${api.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; redis: { status: string; latencyMs: number } };
    expect(body.status).toBe('ok');
    expect(body.redis.status).toBe('up');
    expect(body.redis.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('is ready when Redis answers', async () => {
    const res = await fetch(`${api.url}/ready`);
    expect(res.status).toBe(200);
  });

  it('serves redis-client metrics with live values on /metrics', async () => {
    await fetch(`${api.url}/health`);
    const text = await (await fetch(`${api.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/redis_client_connection_state\{[^}]*pool="commands"[^}]*state="ready"[^}]*\} 1/);
    expect(text).toMatch(/redis_server_up\{[^}]*\} 1/);
    expect(text).toMatch(
      /db_client_operation_duration_seconds_count\{[^}]*db_operation_name="ping"[^}]*\} [1-9]/,
    );
    const usedMemory = /redis_server_memory_used_bytes\{[^}]*\} (\d+)/.exec(text);
    expect(Number(usedMemory?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/http_server_request_duration_seconds_count\{[^}]*http_route="\/health"/);
  });

  it('serves only metrics that docs/metrics.md lists', async () => {
    const text = await (await fetch(`${api.metricsUrl}/metrics`)).text();
    expect(uncatalogedMetrics(text, metricCatalog)).toEqual([]);
  });

  it('serves /metrics only on its own listener, never on the public port', async () => {
    const onPublicPort = await fetch(`${api.url}/metrics`);
    expect(onPublicPort.status).toBe(404);
    expect(await onPublicPort.text()).not.toMatch(/redis_client_|process_cpu/);
    const metrics = await fetch(`${api.metricsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^http_server_request_duration_seconds_count\{/m);
    // The metrics listener serves nothing else.
    expect((await fetch(`${api.metricsUrl}/health`)).status).toBe(404);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await fetch(`${api.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /nope' } });
  });

  it('reports Redis down on /health and turns unready, then recovers', async () => {
    await redis.stop();
    const health = await fetch(`${api.url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { redis: { status: string } }).redis.status).toBe('down');
    expect((await fetch(`${api.url}/ready`)).status).toBe(503);

    await redis.restart();
    await expect
      .poll(async () => (await fetch(`${api.url}/ready`)).status, { timeout: 15_000, interval: 200 })
      .toBe(200);
  });

  it('exits cleanly on SIGTERM', async () => {
    const exit = await api.stop();
    expect(exit).toEqual({ code: 0, signal: null });
  });
});

describe('api configuration', () => {
  it('refuses to start on a bad variable, naming it', async () => {
    const api = startApi({ API_PORT: 'eighty', REDIS_DB: '-3' });
    await expect(api).rejects.toThrow(/API_PORT must be a port number 1-65535 \(got "eighty"\)/);
    await expect(api).rejects.toThrow(/REDIS_DB/);
  });

  it('refuses to start when a Redis TLS file cannot be read, naming the variable, without a stack trace', async () => {
    const api = startApi({
      REDIS_URL: 'rediss://127.0.0.1:6390',
      REDIS_TLS_CA_FILE: '/nonexistent/redis-ca.pem',
    });
    await expect(api).rejects.toThrow(
      /REDIS_TLS_CA_FILE must name a readable file \("\/nonexistent\/redis-ca\.pem": no such file\)/,
    );
    await expect(api).rejects.toThrow(/code 2/);
    await expect(api).rejects.not.toThrow(/\n\s+at /);
  });

  it('refuses to start in production without API_TRUST_PROXY, or with true, saying what to set', async () => {
    const production = { NODE_ENV: 'production', SESSION_SECRET: 'production-secret-with-at-least-32-chars' };
    const untrusted = startApi(production);
    // Secure cookies behind a TLS proxy need the proxy's X-Forwarded-Proto to be trusted.
    await expect(untrusted).rejects.toThrow(/API_TRUST_PROXY must be set in production/);
    await expect(untrusted).rejects.toThrow(/number of proxies in front of the api \(e\.g\. 1\)/);
    await expect(untrusted).rejects.toThrow(/code 2/);
    // true would let any client choose its address (the leftmost X-Forwarded-For entry).
    const trustsAll = startApi({ ...production, API_TRUST_PROXY: 'true' });
    await expect(trustsAll).rejects.toThrow(/API_TRUST_PROXY=true is refused in production/);
    await expect(startApi({ API_TRUST_PROXY: '10.0.0.0/33' })).rejects.toThrow(
      /API_TRUST_PROXY must be false, true, a hop count, or a comma-separated list .*"10\.0\.0\.0\/33"/,
    );
  });

  it('refuses to start with a wrong Redis password, saying so', async () => {
    const redis = await startRedisServer({ password: 'right-password' });
    try {
      const api = startApi({ REDIS_URL: `redis://:wrong-password@127.0.0.1:${redis.port}` });
      await expect(api).rejects.toThrow(/Redis authentication failed/);
      await expect(api).rejects.toThrow(/code 2/);
      await expect(api).rejects.not.toThrow(/wrong-password/);
    } finally {
      await redis.destroy();
    }
  });

  it('starts degraded when Redis is unreachable, and says so on /health', async () => {
    const port = await freePort();
    const api = await startApi({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_CONNECT_TIMEOUT: '500' });
    try {
      const health = (await (await fetch(`${api.url}/health`)).json()) as {
        status: string;
        redis: { status: string };
      };
      expect(health).toMatchObject({ status: 'degraded', redis: { status: 'down' } });
      expect((await fetch(`${api.url}/ready`)).status).toBe(503);
    } finally {
      await api.stop();
    }
  });
});
