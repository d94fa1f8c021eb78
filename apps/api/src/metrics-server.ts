// Prometheus metrics on a listener of their own (API_METRICS_HOST:API_METRICS_PORT, loopback by
// default), never on the public port: the series name routes, limiter policies and Redis state
// an outsider has no business reading. Only GET /metrics is served here.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsHandler } from '@rnh/telemetry';
import type { Logger } from '@rnh/telemetry';
import type { Registry } from 'prom-client';

export interface RunningMetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(
  registry: Registry,
  listen: { host: string; port: number },
  logger: Logger,
): Promise<RunningMetricsServer> {
  const serveMetrics = metricsHandler(registry, { logger });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      void serveMetrics(req, res);
      return;
    }
    const body = JSON.stringify({
      error: { code: 'not_found', message: 'Only GET /metrics is served here.' },
    });
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url: `${url}/metrics` }, 'api metrics listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
