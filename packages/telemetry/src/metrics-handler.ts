// GET /metrics for Express apps and plain http servers alike.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import { Registry, type RegistryContentType } from 'prom-client';
import { prefersOpenMetrics } from './accept.js';
import { openMetricsToPrometheus } from './prometheus-text.js';
import type { MetricsHandlerOptions, MetricsRequestHandler } from './types.js';

/**
 * Serves the registry: OpenMetrics 1.0.0 (with exemplars and `# EOF`) when the Accept
 * header asks for it, as Prometheus does; otherwise the Prometheus text format 0.0.4
 * without exemplars. A failed collection answers 500 with a short text and is logged.
 */
export function metricsHandler(
  registry: Registry<RegistryContentType>,
  options: MetricsHandlerOptions = {},
): MetricsRequestHandler {
  return async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: string;
    let contentType: string;
    try {
      const rendered = await registry.metrics();
      if (registry.contentType !== Registry.OPENMETRICS_CONTENT_TYPE) {
        // A classic registry has no OpenMetrics rendering to offer.
        body = rendered;
        contentType = Registry.PROMETHEUS_CONTENT_TYPE;
      } else if (prefersOpenMetrics(req.headers.accept)) {
        body = rendered;
        contentType = Registry.OPENMETRICS_CONTENT_TYPE;
      } else {
        body = openMetricsToPrometheus(rendered);
        contentType = Registry.PROMETHEUS_CONTENT_TYPE;
      }
    } catch (error) {
      if (options.logger) options.logger.error({ err: error }, 'metrics collection failed');
      else diag.error('metrics collection failed', error);
      send(res, 500, 'text/plain; charset=utf-8', 'metrics collection failed\n', req.method);
      return;
    }
    send(res, 200, contentType, body, req.method);
  };
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  method: string | undefined,
): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('vary', 'accept');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(method === 'HEAD' ? undefined : body);
}
