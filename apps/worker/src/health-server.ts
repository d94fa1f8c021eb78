// The worker's small HTTP surface: /health (liveness with Redis status), /ready, /metrics.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsHandler } from '@rnh/telemetry';
import type { WorkerContainer } from './container.js';

export interface RunningHealthServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startHealthServer(container: WorkerContainer): Promise<RunningHealthServer> {
  const serveMetrics = metricsHandler(container.registry);
  const server = createServer((req, res) => {
    route(container, serveMetrics, req, res).catch((error: unknown) => {
      container.logger.error({ err: error }, 'health server request failed');
      if (!res.headersSent)
        sendJson(res, 500, {
          error: { code: 'internal_error', message: 'Something went wrong on our side.' },
        });
    });
  });
  const { host, port } = container.config.http;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  container.logger.info({ url }, 'worker health server listening');
  return {
    server,
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function route(
  container: WorkerContainer,
  serveMetrics: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET')
    return sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'Only GET is served here.' } });
  if (path === '/metrics') return serveMetrics(req, res);
  if (path === '/health') {
    const redis = await container.redis.ping();
    const heartbeatAgeMs = container.heartbeat.ageMs() ?? null;
    return sendJson(res, 200, { status: redis.status === 'up' ? 'ok' : 'degraded', redis, heartbeatAgeMs });
  }
  if (path === '/ready') {
    const redis = await container.redis.ping();
    const ready = redis.status === 'up' && !container.isShuttingDown();
    return sendJson(res, ready ? 200 : 503, { ready, redis, shuttingDown: container.isShuttingDown() });
  }
  sendJson(res, 404, { error: { code: 'not_found', message: `No route for GET ${path}` } });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
