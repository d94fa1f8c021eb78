import { SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import {
  RedisGuard,
  RedisScript,
  silentLogger,
  toKeyspace,
  type Keyspace,
  type RedisClient,
  type RedisPackageDeps,
  type ScriptRegistry,
} from '@rnh/redis-client';
import { DEFAULT_KEY_PREFIX, DEFAULT_OPERATION_TIMEOUT_MS, DEFAULT_STORE_WINDOW_MS } from '../defaults.js';
import { RateLimitArgumentError } from '../errors.js';
import { guardErrors } from '../internal/guard-errors.js';
import { identifierTagger, type IdentifierTagger } from '../internal/hash.js';
import { ThrottledWarning } from '../internal/throttled-warning.js';
import { TRACER_NAME } from '../limiter.js';
import { metricsFor, type RateLimitMetricsSink } from '../metrics.js';

/** At most one warning per 5 s per store, as for the limiter. */
const LOG_EVERY_MS = 5000;

/** What express-rate-limit's `Store` methods answer (its `ClientRateLimitInfo`). */
export interface ClientRateLimitInfo {
  totalHits: number;
  resetTime: Date | undefined;
}

/**
 * Structurally express-rate-limit's (v7/v8) `Store` interface, declared here so this
 * package does not depend on express-rate-limit.
 */
export interface ExpressRateLimitStore {
  init?: (options: { windowMs: number }) => void;
  get?: (key: string) => Promise<ClientRateLimitInfo | undefined>;
  increment: (key: string) => Promise<ClientRateLimitInfo>;
  decrement: (key: string) => Promise<void>;
  resetKey: (key: string) => Promise<void>;
  localKeys?: boolean;
  prefix?: string;
}

/**
 * `logger`: Redis failures, at most one warning per 5 s. `registry`: each increment's time on
 * Redis in `ratelimit_decision_duration_seconds{policy=<name>}`. `tracer`: a
 * `ratelimit.store.<method>` span per call (default: the global tracer).
 */
export interface RedisRateLimitStoreDeps extends RedisPackageDeps {
  /** Default `rnh:ratelimit:`; keys are `<prefix>erl:<name>:{<hash>}`. */
  keys?: Keyspace | string;
  scripts?: ScriptRegistry;
}

export interface RedisRateLimitStoreOptions {
  /** Separates stores (1-64 of `[A-Za-z0-9_.-]`), and is their `policy` metric label; default `default`. */
  name?: string;
  /** The window until express-rate-limit calls `init` with its `windowMs`; default 60 000 ms. */
  windowMs?: number;
  /** Per Redis call (> 0); default 250 ms (a timeout rejects, and express-rate-limit's `passOnStoreError` decides). */
  operationTimeoutMs?: number;
  hashKeys?: boolean;
  hashSecret?: string;
}

// A hit counter (express-rate-limit compares it with its limit itself): the window
// starts at a key's first hit, on Redis time. ARGV: delta (1, -1 or 0 to read), windowMs.
// Reply: { hits, ms until the window ends } (-1 when there is no window).
const COUNTER = new RedisScript({
  name: 'rnh-ratelimit:erl-counter',
  keys: 1,
  lua: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delta, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 's', 'n')
local s, n = tonumber(v[1]), tonumber(v[2]) or 0
local open = s and now < s + window
if delta <= 0 then
  if not open then return { 0, -1 } end
  if delta < 0 and n > 0 then
    n = n - 1
    redis.call('HSET', KEYS[1], 'n', string.format('%.0f', n))
  end
  return { n, s + window - now }
end
if not open then s, n = now, 0 end
n = n + delta
redis.call('HSET', KEYS[1], 's', string.format('%.0f', s), 'n', string.format('%.0f', n))
redis.call('PEXPIREAT', KEYS[1], string.format('%.0f', s + window))
return { n, s + window - now }
`,
});

/**
 * Lets an express-rate-limit user keep their middleware and count in our Redis:
 * `rateLimit({ windowMs, limit, store: new RedisRateLimitStore(deps) })`. Shared by
 * every instance (`localKeys: false`), atomic, on Redis time, keys hashed.
 */
export class RedisRateLimitStore implements ExpressRateLimitStore {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs: number;
  private readonly name: string;
  private readonly redis: RedisClient;
  private readonly keys: Keyspace;
  private readonly script: RedisScript;
  /** A timeout on each Redis call; no breaker (express-rate-limit's `passOnStoreError` decides what a failure means). */
  private readonly guard: RedisGuard;
  private readonly metrics: RateLimitMetricsSink;
  private readonly policyLabels: { policy: string };
  private readonly tracer: Tracer | undefined;
  private readonly failures: ThrottledWarning;
  private readonly tag: IdentifierTagger;

  constructor(deps: RedisRateLimitStoreDeps, options: RedisRateLimitStoreOptions = {}) {
    const name = options.name ?? 'default';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name))
      throw new RateLimitArgumentError('store name must be 1-64 of [A-Za-z0-9_.-]');
    this.name = name;
    this.redis = deps.redis;
    this.keys = toKeyspace(deps.keys, DEFAULT_KEY_PREFIX).child('erl', name);
    this.prefix = this.keys.prefix;
    this.script = deps.scripts ? deps.scripts.define(COUNTER) : COUNTER;
    this.windowMs = checkWindow(options.windowMs ?? DEFAULT_STORE_WINDOW_MS);
    this.guard = new RedisGuard({
      operationTimeoutMs: options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
      breaker: false,
      errors: guardErrors(`rate limit store "${name}"`, false),
      client: deps.redis,
    });
    this.metrics = metricsFor(deps.registry);
    this.policyLabels = { policy: name };
    this.tracer = deps.tracer;
    this.failures = new ThrottledWarning(
      deps.logger ?? silentLogger(),
      'rate limit store: a Redis call failed; express-rate-limit decides what follows (passOnStoreError)',
      LOG_EVERY_MS,
    );
    this.tag = identifierTagger(options.hashKeys ?? true, options.hashSecret);
  }

  init(options: { windowMs: number }): void {
    this.windowMs = checkWindow(options.windowMs);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const info = await this.count(key, 0, 'get');
    return info.totalHits > 0 ? info : undefined;
  }

  increment(key: string): Promise<ClientRateLimitInfo> {
    return this.count(key, 1, 'increment');
  }

  async decrement(key: string): Promise<void> {
    await this.count(key, -1, 'decrement');
  }

  async resetKey(key: string): Promise<void> {
    const redisKey = this.redisKey(key);
    await this.call('resetKey', () => this.redis.unlink(redisKey));
  }

  /** The Redis key counting `key`. */
  redisKey(key: string): string {
    return this.keys.key(this.keys.hashTag(this.tag(key)));
  }

  private async count(key: string, delta: number, method: string): Promise<ClientRateLimitInfo> {
    const keys = [this.redisKey(key)];
    const started = performance.now();
    try {
      const reply = await this.call(method, () => this.script.run(this.redis, keys, [delta, this.windowMs]));
      const [hits, leftMs] = (reply as unknown[]).map(Number) as [number, number];
      // Redis time decided the window; the Date is on this process's clock, as the middleware compares it with Date.now().
      return { totalHits: hits, resetTime: leftMs < 0 ? undefined : new Date(Date.now() + leftMs) };
    } finally {
      // An increment is the Redis part of one express-rate-limit decision (which compares the count itself).
      if (delta > 0) this.metrics.duration.observe(this.policyLabels, (performance.now() - started) / 1000);
    }
  }

  /** One guarded Redis call in its own span; a failure is logged (at most every 5 s) and rethrown. */
  private async call<T>(method: string, work: () => Promise<T>): Promise<T> {
    const tracer = this.tracer ?? trace.getTracer(TRACER_NAME);
    // Not made active, as the limiter's `ratelimit.limit`: nothing inside needs it.
    const span = tracer.startSpan(`ratelimit.store.${method}`, {
      attributes: { 'rnh.ratelimit.policy': this.name },
    });
    try {
      return await this.guard.run(work);
    } catch (error) {
      const type = this.guard.failureType(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      this.failures.warn({
        store: this.name,
        operation: method,
        error_type: type,
        error: error instanceof Error ? error.message : 'unknown',
      });
      throw error;
    } finally {
      span.end();
    }
  }
}

function checkWindow(windowMs: number): number {
  if (!Number.isSafeInteger(windowMs) || windowMs < 1)
    throw new RateLimitArgumentError(`windowMs must be an integer >= 1 (got ${windowMs})`);
  return windowMs;
}
