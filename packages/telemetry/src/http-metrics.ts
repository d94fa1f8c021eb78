// Request duration by route, method and status, the RED view every dashboard starts from.
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { Histogram, type LabelValues, type Registry, type RegistryContentType } from 'prom-client';
import { supportsExemplars } from './metrics-registry.js';
import { activeTraceExemplar } from './trace-context.js';
import type { HttpMetricsMiddleware, HttpMetricsOptions, RoutedRequest, TraceExemplar } from './types.js';

export const HTTP_SERVER_DURATION = 'http_server_request_duration_seconds';

const LABELS = ['http_request_method', 'http_route', 'http_response_status_code'] as const;
type Label = (typeof LABELS)[number];

/** The OpenTelemetry semantic-convention buckets for http.server.request.duration. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Methods outside this set share `_OTHER`, as the semantic conventions say, to keep the label bounded. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

const UNMATCHED = 'unmatched';

/** nginx's "client closed request": the response never finished. */
const CLIENT_CLOSED = '499';

/**
 * Express middleware (install it first) recording `http_server_request_duration_seconds`.
 * The route label is the matched route template (`/users/:id`, with its router's mount
 * path) or `unmatched`, never the raw URL. Histogram exemplars link to the trace. The
 * same route names the request's HTTP server span and sets its `http.route`.
 */
export function httpMetricsMiddleware(
  registry: Registry<RegistryContentType>,
  options: HttpMetricsOptions = {},
): HttpMetricsMiddleware {
  const record = durationRecorder(registry);
  const ignored = new Set(options.ignorePaths ?? []);

  return function httpMetrics(req, res, next) {
    if (ignored.size > 0 && ignored.has(pathOf(req))) return next();
    const started = process.hrtime.bigint();
    // Taken now: when 'finish' fires the request's context may no longer be active.
    const exemplar = activeTraceExemplar();
    // The HTTP instrumentation's per-request record: a route put there names the server span
    // (`GET /users/:id`) and sets its `http.route` when the response closes, after 'finish'.
    const rpc = getRPCMetadata(context.active());
    let done = false;
    const finish = (aborted: boolean) => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      if (rpc?.type === RPCType.HTTP && route !== UNMATCHED) rpc.route = route;
      record(
        {
          http_request_method: METHODS.has(req.method ?? '') ? (req.method as string) : '_OTHER',
          http_route: route,
          http_response_status_code: aborted ? CLIENT_CLOSED : String(res.statusCode),
        },
        seconds,
        exemplar,
      );
    };
    res.once('finish', () => finish(false));
    res.once('close', () => finish(!res.writableFinished));
    next();
  };
}

type Recorder = (labels: Record<Label, string>, seconds: number, exemplar: TraceExemplar | undefined) => void;

/** One histogram per registry; a second middleware on the same registry shares it. */
function durationRecorder(registry: Registry<RegistryContentType>): Recorder {
  const exemplars = supportsExemplars(registry);
  const existing = registry.getSingleMetric(HTTP_SERVER_DURATION);
  const histogram =
    existing instanceof Histogram
      ? (existing as Histogram<Label>)
      : new Histogram<Label>({
          name: HTTP_SERVER_DURATION,
          help: 'Duration of HTTP server requests, by method, route template and status code.',
          labelNames: LABELS,
          buckets: BUCKETS,
          registers: [registry],
          enableExemplars: exemplars,
        });
  if (!exemplars) return (labels, seconds) => histogram.observe(labels, seconds);
  return (labels, seconds, exemplar) =>
    // With exemplars enabled prom-client's observe takes one object. Its typings wrongly
    // require exemplar labels to be the metric's own label names, hence the cast.
    histogram.observe({
      labels,
      value: seconds,
      ...(exemplar ? { exemplarLabels: { ...exemplar } as unknown as LabelValues<Label> } : {}),
    });
}

/** `req.baseUrl + req.route.path` once Express matched a route; `unmatched` otherwise. */
export function routeOf(req: RoutedRequest): string {
  const path = req.route?.path;
  if (path === undefined || path === null) return UNMATCHED;
  const template =
    typeof path === 'string' ? path : Array.isArray(path) ? path.map(String).join('|') : String(path);
  const route = `${req.baseUrl ?? ''}${template}`;
  return route === '' ? '/' : route;
}

function pathOf(req: RoutedRequest): string {
  return (req.originalUrl ?? req.url ?? '/').split('?', 1)[0] ?? '/';
}
