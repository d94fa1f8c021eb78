import {
  context as otelContext,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { classifyRedisError, withDeadline, type Logger } from '@rnh/redis-client';
import {
  RefreshTokenReuseError,
  SessionsError,
  SessionStoreUnavailableError,
  TokenRejectedError,
} from '../errors.js';

export const TRACER_NAME = '@rnh/sessions';

export interface OperationContext {
  logger: Logger;
  /** Whole-operation timeout in ms; 0 disables it (bulk operations time each Redis call instead). */
  timeoutMs: number;
  /** The tracer given in the deps; without one, the global tracer (looked up per operation). */
  tracer?: Tracer | undefined;
}

/** What an operation can say about itself on its span; never ids, tokens or keys. */
export interface OperationScope {
  readonly span: Span;
  /** Bounded outcome (`ok` unless set), e.g. `found`, `refused_destroyed`, `rotated`, `grace`. */
  outcome(value: string): void;
  set(attributes: Attributes): void;
}

/**
 * Runs one public operation in its own active span (Redis command spans become
 * its children), with a timeout, and turns anything Redis throws into
 * SessionStoreUnavailableError (fail closed). Our own coded errors pass through.
 * No async wrapper of its own: on the hot paths (every request's get and touch)
 * each promise counts.
 */
export function runOperation<T>(
  context: OperationContext,
  name: string,
  attributes: Attributes | undefined,
  work: (scope: OperationScope) => Promise<T>,
): Promise<T> {
  const span = tracerOf(context).startSpan(name, attributes ? { attributes } : undefined);
  const scope = new Scope(span);
  let running: Promise<T>;
  try {
    running = otelContext.with(trace.setSpan(otelContext.active(), span), work, undefined, scope);
  } catch (error) {
    running = Promise.reject(error);
  }
  return withTimeout(running, context.timeoutMs, name).then(
    (result) => {
      span.setAttribute('rnh.outcome', scope.result);
      span.end();
      return result;
    },
    (error: unknown) => {
      const mapped = toSessionsError(error, name);
      describeFailure(span, mapped);
      span.end();
      if (mapped instanceof SessionStoreUnavailableError) {
        const cause = mapped.cause instanceof Error ? mapped.cause : undefined;
        context.logger.warn(
          {
            operation: name,
            error_type: cause ? classifyRedisError(cause) : 'timeout',
            error: cause?.message ?? mapped.message,
          },
          'session store unavailable',
        );
      }
      throw mapped;
    },
  );
}

class Scope implements OperationScope {
  result = 'ok';

  constructor(readonly span: Span) {}

  outcome(value: string): void {
    this.result = value;
  }

  set(attributes: Attributes): void {
    this.span.setAttributes(attributes);
  }
}

// The global tracer, looked up again only when the global provider changes (getTracer builds a
// key and searches a map on every call).
let cachedProvider: TracerProvider | undefined;
let cachedTracer: Tracer | undefined;

function tracerOf(context: OperationContext): Tracer {
  if (context.tracer) return context.tracer;
  const provider = trace.getTracerProvider();
  if (provider !== cachedProvider || cachedTracer === undefined) {
    cachedTracer = provider.getTracer(TRACER_NAME);
    cachedProvider = provider;
  }
  return cachedTracer;
}

/** Rejects with SessionStoreUnavailableError when `promise` is slower than `ms` (the Redis call itself carries on). */
export function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  return withDeadline(
    promise,
    ms,
    () =>
      new SessionStoreUnavailableError(
        operation,
        `session store unavailable: ${operation} timed out after ${ms} ms`,
      ),
  );
}

export function toSessionsError(error: unknown, operation: string): SessionsError {
  if (error instanceof SessionsError) return error;
  const cause = sanitizeCause(error);
  return new SessionStoreUnavailableError(
    operation,
    `session store unavailable: ${operation} failed (${classifyRedisError(error)})`,
    { cause },
  );
}

/**
 * A copy of the error with only name, message and code: ioredis errors carry the
 * command and its arguments (keys that contain session ids), which a logger's
 * error serializer would print.
 */
export function sanitizeCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error('non-error value thrown');
  const copy = new Error(error.message) as Error & { code?: string };
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') copy.code = code;
  return copy;
}

function describeFailure(span: Span, error: SessionsError): void {
  if (error instanceof TokenRejectedError) {
    span.setAttributes({ 'rnh.outcome': 'rejected', 'rnh.token.reason': error.reason });
    return;
  }
  if (error instanceof RefreshTokenReuseError) {
    span.setAttributes({ 'rnh.outcome': 'reuse_detected' });
    return;
  }
  span.setAttributes({
    'rnh.outcome': error instanceof SessionStoreUnavailableError ? 'unavailable' : 'error',
    'error.type': error.code,
  });
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
