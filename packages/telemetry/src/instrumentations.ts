// The instrumentations every RNH service runs: one trace per request, from the HTTP
// server span (named by its route, see http-metrics.ts) down to each Redis command. No
// Express instrumentation: a span per middleware layer doubled the CPU a traced request
// costs (docs/decisions/0017-no-express-layer-spans.md).
import type { IncomingMessage } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { redisStatementSerializer } from './redis-statement.js';

/**
 * Bare specifiers the ESM loader hook intercepts. Must name every module an
 * instrumentation below patches; intercepting only these keeps the hook off the
 * rest of the module graph (faster startup, fewer loader incompatibilities).
 */
export const ESM_INSTRUMENTED_MODULES = ['http', 'https', 'ioredis'] as const;

export const DEFAULT_IGNORED_INCOMING_PATHS = ['/metrics', '/health', '/ready'];

/**
 * Query parameters whose values never reach a span (`url.query`, `url.full`): the
 * SDK's defaults (cloud signatures) plus the credentials our own links carry.
 */
const REDACTED_QUERY_PARAMS = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'session',
  'sid',
  'password',
  'secret',
  'key',
  'api_key',
  'apikey',
  'email',
];

export interface InstrumentationOptions {
  ignoreIncomingPaths: string[];
}

export function createInstrumentations(options: InstrumentationOptions): Instrumentation[] {
  const ignored = new Set(options.ignoreIncomingPaths);
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req: IncomingMessage) => ignored.has(pathOf(req.url)),
      redactedQueryParams: REDACTED_QUERY_PARAMS,
      redactedQueryParamsServer: REDACTED_QUERY_PARAMS,
    }),
    new IORedisInstrumentation({
      dbStatementSerializer: redisStatementSerializer,
      // The worker's commands have no HTTP parent and must still be traced.
      requireParentSpan: false,
    }),
  ];
}

function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0] ?? '/';
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
