import { SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  RedisGuard,
  sendNow,
  silentLogger,
  toKeyspace,
  TurnBatcher,
  type Keyspace,
  type RedisClient,
  type RedisScript,
} from '@rnh/redis-client';
import { buildBatchScript, buildScript } from './algorithms/script.js';
import { RateLimitArgumentError, RateLimitUnavailableError } from './errors.js';
import { failureDecision, nearLimit, parseReply, redisDecision } from './internal/decision.js';
import { guardErrors } from './internal/guard-errors.js';
import { identifierTag } from './internal/hash.js';
import { LocalDenyCache } from './internal/local-deny-cache.js';
import { namePolicies, type NamedPolicy } from './internal/policies.js';
import { ThrottledWarning } from './internal/throttled-warning.js';
import {
  DEFAULT_BREAKER,
  DEFAULT_FAIL_CLOSED_RETRY_AFTER_MS,
  DEFAULT_FAILURE,
  DEFAULT_KEY_PREFIX,
  DEFAULT_LOCAL_DENY_ENTRIES,
  DEFAULT_OPERATION_TIMEOUT_MS,
} from './defaults.js';
import { metricsFor, type RateLimitMetricsSink } from './metrics.js';
import type { Decision, LimitOptions, RateLimiterDeps, RateLimiterOptions } from './types.js';

export const TRACER_NAME = '@rnh/ratelimit';
const LOG_EVERY_MS = 5000;
/** A batch that reaches this many decisions goes out at once; the next decision starts a new one. */
const MAX_BATCH = 32;
/** Keys whose identifier tag and Redis keys are remembered (when full, the one remembered first is dropped). */
const MEMO_ENTRIES = 1024;

interface Pending {
  keys: string[];
  cost: number;
  resolve: (reply: unknown) => void;
  reject: (error: unknown) => void;
}

/** The consumptions of one event-loop turn, sent as one script call. */
class ConsumeBatch {
  readonly items: Pending[] = [];

  get size(): number {
    return this.items.length;
  }
}

interface Memo {
  id: string;
  keys: string[];
}

type Mode = 'c' | 'p' | 'r';

/**
 * A rate limiter: one or more policies evaluated together, atomically, in one Lua
 * call on Redis time. `limit()` never throws for Redis trouble: the failure policy
 * decides (`fail_open` / `fail_closed`). Keys over their limit are then denied
 * in-process until their retry-after (`local_block`).
 */
export class RateLimiter {
  readonly name: string;
  readonly policies: ReadonlyArray<Readonly<NamedPolicy>>;
  readonly failure: 'open' | 'closed';
  readonly mode: 'enforce' | 'shadow';
  private readonly redis: RedisClient;
  private readonly keys: Keyspace;
  private readonly metrics: RateLimitMetricsSink;
  private readonly script: RedisScript;
  private readonly batchScript: RedisScript;
  /** Standalone or Sentinel: the consumptions of one turn share one script call (not on Cluster: keys of many slots). */
  private readonly batches: TurnBatcher<ConsumeBatch> | undefined;
  private readonly memo = new Map<string, Memo>();
  private readonly policyLabels: { policy: string };
  private readonly decisionLabels = new Map<string, { policy: string; outcome: string; reason: string }>();
  private readonly policyArgs: Array<string | number>;
  private readonly tracer: (() => Tracer) | undefined;
  private readonly failClosedRetryAfterMs: number;
  private readonly hashKeys: boolean;
  private readonly hashSecret: string | undefined;
  private readonly local: LocalDenyCache | undefined;
  /** Every Redis call: skipped while the breaker is open, bounded by the timeout, fed back to the breaker. */
  private readonly guard: RedisGuard;
  private readonly failures: ThrottledWarning;

  constructor(deps: RateLimiterDeps, options: RateLimiterOptions) {
    const metrics = metricsFor(deps.registry);
    this.name = options.name;
    this.policies = namePolicies(options.name, options.policies);
    this.failure = options.failure ?? DEFAULT_FAILURE;
    this.mode = options.mode ?? 'enforce';
    this.redis = deps.redis;
    this.keys = toKeyspace(deps.keys, DEFAULT_KEY_PREFIX);
    this.failures = new ThrottledWarning(
      deps.logger ?? silentLogger(),
      'rate limiter could not reach Redis; applying its failure policy',
      LOG_EVERY_MS,
    );
    const given = deps.tracer;
    this.tracer = given ? () => given : undefined;
    this.metrics = metrics;
    const script = buildScript(this.policies);
    this.script = deps.scripts ? deps.scripts.define(script) : script;
    const batchScript = buildBatchScript(this.policies);
    this.batchScript = deps.scripts ? deps.scripts.define(batchScript) : batchScript;
    this.batches =
      (deps.redis as { isCluster?: boolean }).isCluster === true
        ? undefined
        : new TurnBatcher(
            MAX_BATCH,
            () => new ConsumeBatch(),
            (batch) => this.sendBatch(batch),
          );
    this.policyLabels = { policy: options.name };
    this.policyArgs = this.policies.flatMap((p) => [p.code, p.limit, p.windowMs, p.burst]);
    this.guard = new RedisGuard({
      operationTimeoutMs: options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
      breaker: { ...DEFAULT_BREAKER, ...options.breaker },
      errors: guardErrors(`rate limiter "${options.name}"`, true),
    });
    this.failClosedRetryAfterMs = positive(
      options.failClosedRetryAfterMs ?? DEFAULT_FAIL_CLOSED_RETRY_AFTER_MS,
      'failClosedRetryAfterMs',
    );
    this.hashKeys = options.hashKeys ?? true;
    this.hashSecret = options.hashSecret;
    const localOptions = options.localDenyCache ?? {};
    this.local =
      localOptions === false || this.mode === 'shadow'
        ? undefined
        : new LocalDenyCache(
            positive(localOptions.maxEntries ?? DEFAULT_LOCAL_DENY_ENTRIES, 'localDenyCache.maxEntries'),
            (delta) => metrics.localDenyEntries.inc({ policy: this.name }, delta),
          );
    // The series exists from the start (0 entries), so a panel or alert never sees it missing.
    if (this.local) metrics.localDenyEntries.inc(this.policyLabels, 0);
  }

  /** The tracer given in the deps, else the global one (looked up per call, so a later SDK registration is seen). */
  private spanTracer(): Tracer {
    return this.tracer?.() ?? trace.getTracer(TRACER_NAME);
  }

  /** Decides whether a request of `cost` units (default 1) for `key` may pass, and records it if so. */
  async limit(key: string, options: LimitOptions = {}): Promise<Decision> {
    const cost = checkCost(options.cost);
    // Not made active: nothing inside needs it, and running the rest in its context costs more than the span.
    const span = this.spanTracer().startSpan('ratelimit.limit', {
      attributes: { 'rnh.ratelimit.policy': this.name, 'rnh.ratelimit.cost': cost },
    });
    try {
      const memo = this.memoOf(key);
      const blocked = this.local?.check(memo.id, cost);
      if (blocked) return this.record(blocked, span);
      const started = performance.now();
      let decision: Decision;
      try {
        const parsed = parseReply(await this.consume(memo, cost), this.policies);
        decision = redisDecision(this.name, cost, parsed, true, this.mode === 'shadow');
        if (decision.reason === 'limited') this.local?.add(memo.id, decision);
        if (decision.consumed && nearLimit(decision.policies)) this.metrics.nearLimit.inc(this.policyLabels);
      } catch (error) {
        this.logFailure(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: this.guard.failureType(error) });
        decision = failureDecision(
          this.name,
          cost,
          this.policies[0]!,
          this.failure,
          this.failClosedRetryAfterMs,
        );
      }
      this.metrics.duration.observe(this.policyLabels, (performance.now() - started) / 1000);
      return this.record(decision, span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: this.guard.failureType(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  /** What `limit()` would answer now, without recording anything; throws RateLimitUnavailableError when Redis fails. */
  async peek(key: string, options: LimitOptions = {}): Promise<Decision> {
    const cost = checkCost(options.cost);
    return this.traced('ratelimit.peek', cost, async (span) => {
      const id = this.id(key);
      const reply = await this.logged(this.call('p', id, cost, 0));
      const decision = redisDecision(
        this.name,
        cost,
        parseReply(reply, this.policies),
        false,
        this.mode === 'shadow',
      );
      span.setAttribute('rnh.ratelimit.decision', decision.reason);
      return decision;
    });
  }

  /** Forgets everything about `key` (every policy, and the local deny cache); throws RateLimitUnavailableError when Redis fails. */
  async reset(key: string): Promise<void> {
    const id = this.id(key);
    this.local?.delete(id);
    await this.logged(this.guard.run(() => this.redis.unlink(...this.keysOf(id))));
  }

  /**
   * Gives back what a consumed decision took (e.g. the request turned out not to count),
   * within the window it was counted in. False when there was nothing to refund.
   * Throws RateLimitUnavailableError when Redis fails.
   */
  async refund(key: string, decision: Decision): Promise<boolean> {
    if (!decision.consumed || decision.at === undefined) return false;
    const id = this.id(key);
    await this.logged(this.call('r', id, decision.cost, decision.at!));
    return true;
  }

  /** The Redis keys holding `key`'s state, one hash tag for all of them (one Cluster slot). */
  redisKeys(key: string): string[] {
    return this.keysOf(this.id(key));
  }

  private keysOf(id: string): string[] {
    const tag = this.keys.hashTag(id);
    return this.policies.flatMap((policy) =>
      policy.keySuffixes.map((suffix) => this.keys.key(this.name, tag, policy.name, suffix)),
    );
  }

  /** Number of keys in the local deny cache. */
  get localDenySize(): number {
    return this.local?.size ?? 0;
  }

  private id(key: string): string {
    return this.memoOf(key).id;
  }

  /** `key`'s identifier tag and Redis keys, remembered for the last MEMO_ENTRIES keys (hashing costs µs). */
  private memoOf(key: string): Memo {
    if (typeof key !== 'string') throw new RateLimitArgumentError('rate-limit key must be a string');
    let memo = this.memo.get(key);
    if (memo === undefined) {
      const id = identifierTag(key, this.hashKeys, this.hashSecret);
      memo = { id, keys: this.keysOf(id) };
      if (this.memo.size >= MEMO_ENTRIES) this.memo.delete(this.memo.keys().next().value!);
      this.memo.set(key, memo);
    }
    return memo;
  }

  /**
   * A consumption: joins this turn's batch, sent at the turn's check phase (setImmediate)
   * as one script call, or at once when full. On Cluster, one call per decision.
   */
  private consume(memo: Memo, cost: number): Promise<unknown> {
    const batches = this.batches;
    if (batches === undefined) return this.call('c', memo.id, cost, 0);
    return new Promise((resolve, reject) => {
      const batch = batches.current();
      batch.items.push({ keys: memo.keys, cost, resolve, reject });
      batches.added(batch);
    });
  }

  private sendBatch({ items }: ConsumeBatch): void {
    const keys: string[] = [];
    const args: Array<string | number> = [this.policies.length, this.batchScript.keys, ...this.policyArgs];
    for (const item of items) {
      for (const k of item.keys) keys.push(k);
      args.push(item.cost);
    }
    this.guard
      .run(() => this.runBatch(keys, args))
      .then(
        (reply) => {
          if (!Array.isArray(reply) || reply.length !== items.length) {
            const error = new Error('unexpected reply from the rate-limit script');
            for (const item of items) item.reject(error);
            return;
          }
          for (let i = 0; i < items.length; i += 1) items[i]!.resolve(reply[i]);
        },
        (error: unknown) => {
          for (const item of items) item.reject(error);
        },
      );
  }

  /** The batch script by EVALSHA, written at once (see sendNow); EVAL when Redis lost the script (NOSCRIPT). */
  private async runBatch(keys: string[], args: Array<string | number>): Promise<unknown> {
    const script = this.batchScript;
    try {
      return await sendNow(this.redis, 'evalsha', [script.sha, keys.length, ...keys, ...args]);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.redis.eval(script.lua, keys.length, ...keys, ...args);
    }
  }

  private call(mode: Mode, id: string, cost: number, at: number): Promise<unknown> {
    return this.guard.run(() =>
      this.script.run(this.redis, this.keysOf(id), [mode, cost, at, ...this.policyArgs]),
    );
  }

  /** `call` of peek, reset and refund: a failure (RateLimitUnavailableError) is logged, then thrown. */
  private async logged<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      this.logFailure(error);
      throw error;
    }
  }

  private record(decision: Decision, span: Span): Decision {
    const outcome = decision.allowed ? 'allowed' : 'denied';
    const labelKey = `${outcome}:${decision.reason}`;
    let labels = this.decisionLabels.get(labelKey);
    if (labels === undefined) {
      labels = { policy: this.name, outcome, reason: decision.reason };
      this.decisionLabels.set(labelKey, labels);
    }
    this.metrics.decisions.inc(labels);
    const attributes: Record<string, string | number | boolean> = {
      'rnh.ratelimit.decision': decision.reason,
      'rnh.ratelimit.allowed': decision.allowed,
      'rnh.ratelimit.remaining': decision.remaining,
    };
    if (decision.policy) attributes['rnh.ratelimit.binding_policy'] = decision.policy;
    span.setAttributes(attributes);
    return decision;
  }

  private traced<T>(name: string, cost: number, work: (span: Span) => Promise<T>): Promise<T> {
    const attributes = { 'rnh.ratelimit.policy': this.name, 'rnh.ratelimit.cost': cost };
    return this.spanTracer().startActiveSpan(name, { attributes }, async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: this.guard.failureType(error) });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** One warning per 5 s at most (a Redis outage must not turn every request into a log line). */
  private logFailure(error: unknown): void {
    // Redis's own message, not the "Redis unavailable" the guard wrapped it in.
    const shown =
      error instanceof RateLimitUnavailableError && error.cause !== undefined ? error.cause : error;
    this.failures.warn({
      limiter: this.name,
      failure: this.failure,
      error_type: this.guard.failureType(error),
      error: shown instanceof Error ? shown.message : 'unknown',
    });
  }
}

function checkCost(cost: number | undefined): number {
  const value = cost ?? 1;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RateLimitArgumentError(`cost must be an integer >= 1 (got ${value})`);
  return value;
}

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RateLimitArgumentError(`${what} must be > 0 (got ${value})`);
  return value;
}
