import {
  SpanStatusCode,
  trace,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
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
import { ConsumeBatch, type PendingDecision } from './internal/consume-batch.js';
import {
  checkReply,
  decisionAt,
  failureDecision,
  nearLimit,
  replyWidth,
  type DecisionContext,
} from './internal/decision.js';
import { guardErrors } from './internal/guard-errors.js';
import { identifierTagger } from './internal/hash.js';
import { keyNames } from './internal/key-names.js';
import { LocalDenyCache } from './internal/local-deny-cache.js';
import { namePolicies, type NamedPolicy } from './internal/policies.js';
import { RecentMemo } from './internal/recent-memo.js';
import { ThrottledWarning } from './internal/throttled-warning.js';
import {
  DEFAULT_BREAKER,
  DEFAULT_FAIL_CLOSED_RETRY_AFTER_MS,
  DEFAULT_FAILURE,
  DEFAULT_KEY_PREFIX,
  DEFAULT_LOCAL_DENY_ENTRIES,
  DEFAULT_OPERATION_TIMEOUT_MS,
} from './defaults.js';
import { metricsFor, type LimiterMetrics } from './metrics.js';
import type { Decision, LimitOptions, RateLimiterDeps, RateLimiterOptions } from './types.js';

export const TRACER_NAME = '@rnh/ratelimit';
const LOG_EVERY_MS = 5000;
/** A batch that reaches this many decisions goes out at once; the next decision starts a new one. */
const MAX_BATCH = 32;
/** Keys whose identifier tag and Redis keys are remembered: two generations of this many (see RecentMemo). */
const MEMO_ENTRIES = 1024;

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
  /** This limiter's series, bound once. */
  private readonly series: LimiterMetrics;
  private readonly script: RedisScript;
  private readonly batchScript: RedisScript;
  /** Standalone or Sentinel: the consumptions of one turn share one script call (not on Cluster: keys of many slots). */
  private readonly batches: TurnBatcher<ConsumeBatch> | undefined;
  /** The batch script's ARGV before the costs: policy count, keys per decision, the policies. */
  private readonly batchHeader: Array<string | number>;
  private readonly memo: RecentMemo<Memo>;
  private readonly keysOf: (id: string) => string[];
  private readonly context: DecisionContext;
  /** Values per decision in a script reply. */
  private readonly width: number;
  private readonly policyArgs: Array<string | number>;
  private readonly givenTracer: Tracer | undefined;
  /** The global tracer, looked up again only when the global provider changes. */
  private globalTracer: { provider: TracerProvider; tracer: Tracer } | undefined;
  /** The span options of a decision of cost 1, built once. */
  private readonly unitSpanOptions: SpanOptions;
  private readonly failClosedRetryAfterMs: number;
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
    const keys: Keyspace = toKeyspace(deps.keys, DEFAULT_KEY_PREFIX);
    this.failures = new ThrottledWarning(
      deps.logger ?? silentLogger(),
      'rate limiter could not reach Redis; applying its failure policy',
      LOG_EVERY_MS,
    );
    this.givenTracer = deps.tracer;
    this.series = metrics.forLimiter(options.name);
    const script = buildScript(this.policies);
    this.script = deps.scripts ? deps.scripts.define(script) : script;
    const batchScript = buildBatchScript(this.policies);
    this.batchScript = deps.scripts ? deps.scripts.define(batchScript) : batchScript;
    this.policyArgs = this.policies.flatMap((p) => [p.code, p.limit, p.windowMs, p.burst]);
    this.batchHeader = [this.policies.length, this.batchScript.keys, ...this.policyArgs];
    this.batches =
      (deps.redis as { isCluster?: boolean }).isCluster === true
        ? undefined
        : new TurnBatcher(
            MAX_BATCH,
            () => new ConsumeBatch(this.batchHeader),
            (batch) => this.sendBatch(batch),
          );
    this.context = { limiter: this.name, policies: this.policies, shadow: this.mode === 'shadow' };
    this.width = replyWidth(this.policies);
    this.unitSpanOptions = spanOptions(this.name, 1);
    this.guard = new RedisGuard({
      operationTimeoutMs: options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
      breaker: { ...DEFAULT_BREAKER, ...options.breaker },
      errors: guardErrors(`rate limiter "${options.name}"`, true),
      client: deps.redis,
    });
    this.failClosedRetryAfterMs = positive(
      options.failClosedRetryAfterMs ?? DEFAULT_FAIL_CLOSED_RETRY_AFTER_MS,
      'failClosedRetryAfterMs',
    );
    const tag = identifierTagger(options.hashKeys ?? true, options.hashSecret);
    const keysOf = keyNames(keys, this.name, this.policies);
    this.keysOf = keysOf;
    this.memo = new RecentMemo(MEMO_ENTRIES, (key) => {
      const id = tag(key);
      return { id, keys: keysOf(id) };
    });
    const localOptions = options.localDenyCache ?? {};
    this.local =
      localOptions === false || this.mode === 'shadow'
        ? undefined
        : new LocalDenyCache(
            positive(localOptions.maxEntries ?? DEFAULT_LOCAL_DENY_ENTRIES, 'localDenyCache.maxEntries'),
            (delta) => metrics.localDenyEntries.inc({ policy: this.name }, delta),
          );
    // The series exists from the start (0 entries), so a panel or alert never sees it missing.
    if (this.local) metrics.localDenyEntries.inc({ policy: this.name }, 0);
  }

  /** The tracer given in the deps, else the global one (so a later SDK registration is seen). */
  private spanTracer(): Tracer {
    if (this.givenTracer) return this.givenTracer;
    const provider = trace.getTracerProvider();
    let known = this.globalTracer;
    if (known === undefined || known.provider !== provider) {
      known = { provider, tracer: provider.getTracer(TRACER_NAME) };
      this.globalTracer = known;
    }
    return known.tracer;
  }

  /**
   * Decides whether a request of `cost` units (default 1) for `key` may pass, and records it if so.
   * Not an async function: a decision that goes to Redis is answered from the batch's reply
   * handler, with no further promise or microtask per decision.
   */
  limit(key: string, options?: LimitOptions): Promise<Decision> {
    let cost: number;
    let memo: Memo;
    try {
      cost = options?.cost === undefined ? 1 : checkCost(options.cost);
      memo = this.memoOf(key);
    } catch (error) {
      return Promise.reject(error);
    }
    // Not made active: nothing inside needs it, and running the rest in its context costs more than the span.
    const span = this.spanTracer().startSpan(
      'ratelimit.limit',
      cost === 1 ? this.unitSpanOptions : spanOptions(this.name, cost),
    );
    const blocked = this.local?.check(memo.id, cost);
    if (blocked) return Promise.resolve(this.record(blocked, span));
    const pending: PendingDecision = {
      id: memo.id,
      cost,
      span,
      started: performance.now(),
      resolve: noResolve,
    };
    const batches = this.batches;
    if (batches === undefined) return this.consumeAlone(memo, pending);
    return new Promise((resolve) => {
      pending.resolve = resolve;
      const batch = batches.current();
      batch.add(memo.keys, pending);
      batches.added(batch);
    });
  }

  /** What `limit()` would answer now, without recording anything; throws RateLimitUnavailableError when Redis fails. */
  async peek(key: string, options: LimitOptions = {}): Promise<Decision> {
    const cost = checkCost(options.cost);
    return this.traced('ratelimit.peek', cost, async (span) => {
      const id = this.id(key);
      const reply = checkReply(await this.logged(this.call('p', id, cost, 0)), 1, this.policies);
      const decision = decisionAt(reply, 1, Number(reply[0]), this.context, cost, false);
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

  /** Number of keys in the local deny cache. */
  get localDenySize(): number {
    return this.local?.size ?? 0;
  }

  private id(key: string): string {
    return this.memoOf(key).id;
  }

  /** `key`'s identifier tag and Redis keys, remembered for recently used keys. */
  private memoOf(key: string): Memo {
    if (typeof key !== 'string') throw new RateLimitArgumentError('rate-limit key must be a string');
    return this.memo.get(key);
  }

  /** On Cluster: one script call per decision. */
  private async consumeAlone(memo: Memo, pending: PendingDecision): Promise<Decision> {
    try {
      const reply = await this.guard.run(() =>
        this.script.run(this.redis, memo.keys, ['c', pending.cost, 0, ...this.policyArgs]),
      );
      const values = checkReply(reply, 1, this.policies);
      const decision = decisionAt(values, 1, Number(values[0]), this.context, pending.cost, true);
      return this.settle(pending, decision, performance.now());
    } catch (error) {
      return this.fail(pending, error, performance.now());
    }
  }

  private sendBatch(batch: ConsumeBatch): void {
    this.guard
      .run(() => this.runBatch(batch.keys, batch.args))
      .then(
        (reply) => this.settleBatch(batch.items, reply),
        (error: unknown) => this.failBatch(batch.items, error),
      );
  }

  /** Each decision of a batch from the script's reply, in order. */
  private settleBatch(items: readonly PendingDecision[], reply: unknown): void {
    let values: unknown[];
    try {
      values = checkReply(reply, items.length, this.policies);
    } catch (error) {
      this.failBatch(items, error);
      return;
    }
    const now = Number(values[0]);
    const finished = performance.now();
    for (let i = 0; i < items.length; i += 1) {
      const item = items[i]!;
      let decision: Decision;
      try {
        decision = decisionAt(values, 1 + i * this.width, now, this.context, item.cost, true);
        decision = this.settle(item, decision, finished);
      } catch (error) {
        // Never leave a caller waiting: whatever went wrong here gets the failure policy.
        decision = this.fail(item, error, finished);
      }
      item.resolve(decision);
    }
  }

  private failBatch(items: readonly PendingDecision[], error: unknown): void {
    const finished = performance.now();
    for (const item of items) item.resolve(this.fail(item, error, finished));
  }

  /** A decision Redis made: the local deny cache, the metrics and the span. */
  private settle(item: PendingDecision, decision: Decision, finished: number): Decision {
    if (decision.reason === 'limited') this.local?.add(item.id, decision);
    if (decision.consumed && nearLimit(decision.policies)) this.series.nearLimit.inc();
    this.series.duration.observe((finished - item.started) / 1000);
    return this.record(decision, item.span);
  }

  /** A decision Redis did not make (it failed or timed out): the failure policy's. */
  private fail(item: PendingDecision, error: unknown, finished: number): Decision {
    this.logFailure(error);
    item.span.setStatus({ code: SpanStatusCode.ERROR, message: this.guard.failureType(error) });
    const decision = failureDecision(
      this.name,
      item.cost,
      this.policies[0]!,
      this.failure,
      this.failClosedRetryAfterMs,
    );
    this.series.duration.observe((finished - item.started) / 1000);
    return this.record(decision, item.span);
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

  /** Counts the decision and ends its span with what was decided. */
  private record(decision: Decision, span: Span): Decision {
    this.series.decisions(decision.allowed ? 'allowed' : 'denied', decision.reason).inc();
    span.setAttribute('rnh.ratelimit.decision', decision.reason);
    span.setAttribute('rnh.ratelimit.allowed', decision.allowed);
    span.setAttribute('rnh.ratelimit.remaining', decision.remaining);
    if (decision.policy) span.setAttribute('rnh.ratelimit.binding_policy', decision.policy);
    span.end();
    return decision;
  }

  private traced<T>(name: string, cost: number, work: (span: Span) => Promise<T>): Promise<T> {
    return this.spanTracer().startActiveSpan(name, spanOptions(this.name, cost), async (span) => {
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

function spanOptions(policy: string, cost: number): SpanOptions {
  return { attributes: { 'rnh.ratelimit.policy': policy, 'rnh.ratelimit.cost': cost } };
}

/** Stands in until the decision's promise gives its own resolve. */
const noResolve = (): void => undefined;

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
