import { classifyRedisError } from '../connection/error-type.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { withDeadline } from './deadline.js';

/**
 * Why a guarded call failed, bounded for an `error_type` label: `timeout`, `circuit_open`
 * (the breaker skipped the call), or what classifyRedisError says of Redis's error.
 */
export type GuardFailureType = 'timeout' | 'circuit_open' | (string & {});

/**
 * How a package turns a guarded call's failures into its own coded errors. `C` is what
 * each call says about itself (e.g. its operation), for the messages; `void` if nothing.
 */
export interface RedisGuardErrors<C> {
  /** The call did not settle within `operationTimeoutMs` (it goes on; its late result is ignored). */
  timeout(context: C, timeoutMs: number): Error;
  /** The breaker is open: the call was not made. */
  circuitOpen(context: C): Error;
  /** Redis failed; `cause` is its error. Without it, Redis's own error is rethrown as it is. */
  unavailable?(context: C, cause: unknown): Error;
  /** An option of the guard is not a positive number (thrown by the constructor). */
  invalidOption(message: string): Error;
}

export interface RedisGuardOptions<C> {
  /** Each call is given up after this many ms (> 0). */
  operationTimeoutMs: number;
  /**
   * After `failureThreshold` failures in a row, calls are skipped for `cooldownMs`, then one
   * probe goes through (both > 0). `false`: no breaker, every call goes to Redis.
   */
  breaker: { failureThreshold: number; cooldownMs: number } | false;
  errors: RedisGuardErrors<C>;
  /**
   * Called once for each call that failed (timed out or Redis answered with an error; not
   * for one the open breaker skipped), with the error as caught: where a package counts
   * its metric and logs.
   */
  onFailure?: (type: GuardFailureType, error: unknown, context: C) => void;
  /**
   * The client the calls go to. With it:
   * - a call made while the client makes its first connection waits for it (up to
   *   `firstConnectTimeoutMs`) before its operation timeout starts: connecting is not the
   *   call's latency, and on a busy machine it can take longer than the timeout allows;
   * - the breaker's probe waits for the connection: while the client reconnects, a probe would
   *   only sit in the offline queue until its timeout, so calls keep failing fast
   *   (`circuit_open`) until the client is ready again.
   */
  client?: GuardedClient;
  /** The longest a call waits for the client's first connection; default 2000 ms. */
  firstConnectTimeoutMs?: number;
  /** The breaker's clock; injectable for tests. */
  now?: () => number;
}

/** What the guard reads of an ioredis client (or Cluster): its state and its `ready` event. */
export interface GuardedClient {
  readonly status: string;
  once(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

const DEFAULT_FIRST_CONNECT_TIMEOUT_MS = 2000;

/** Stands in for the breaker when there is none: it never opens. */
const NO_BREAKER = {
  allow: () => true,
  success: () => undefined,
  failure: () => undefined,
  probeNow: () => undefined,
  state: 'closed',
} as const satisfies Pick<CircuitBreaker, 'allow' | 'success' | 'failure' | 'probeNow' | 'state'>;

/**
 * Every Redis call of a package, guarded the same way: skipped while the breaker is open,
 * bounded by the operation timeout, its outcome fed back to the breaker, and a failure
 * classified, handed to `onFailure` and rethrown as the package's own coded error.
 */
export class RedisGuard<C = void> {
  readonly operationTimeoutMs: number;
  private readonly breaker: Pick<CircuitBreaker, 'allow' | 'success' | 'failure' | 'probeNow' | 'state'>;
  private readonly errors: RedisGuardErrors<C>;
  private readonly onFailure: ((type: GuardFailureType, error: unknown, context: C) => void) | undefined;
  private readonly client: GuardedClient | undefined;
  private readonly firstConnectTimeoutMs: number;
  /** Set once the client was seen ready: from then on no call waits for a connection. */
  private connectedOnce: boolean;
  /** The last failure came while the client was not connected: its return ends the cool-down. */
  private failedOffline = false;
  /** The errors this guard threw, with their failure type (so `failureType` knows its own). */
  private readonly thrown = new WeakMap<object, GuardFailureType>();

  constructor(options: RedisGuardOptions<C>) {
    this.errors = options.errors;
    const positive = (value: number, what: string): number => {
      if (!Number.isFinite(value) || value <= 0)
        throw this.errors.invalidOption(`${what} must be > 0 (got ${value})`);
      return value;
    };
    this.operationTimeoutMs = positive(options.operationTimeoutMs, 'operationTimeoutMs');
    const breaker = options.breaker;
    this.breaker =
      breaker === false
        ? NO_BREAKER
        : new CircuitBreaker(
            positive(breaker.failureThreshold, 'breaker.failureThreshold'),
            positive(breaker.cooldownMs, 'breaker.cooldownMs'),
            options.now,
          );
    this.onFailure = options.onFailure;
    this.client = options.client;
    this.firstConnectTimeoutMs = positive(
      options.firstConnectTimeoutMs ?? DEFAULT_FIRST_CONNECT_TIMEOUT_MS,
      'firstConnectTimeoutMs',
    );
    this.connectedOnce = options.client === undefined || options.client.status === 'ready';
  }

  /** Runs `work` (one Redis call, or a few that stand or fall together) under the guard. */
  async run<T>(work: () => Promise<T>, context: C): Promise<T> {
    if (!this.connectedOnce) await this.firstConnection();
    // The connection is back after failures it caused: probe now rather than after the cool-down.
    if (this.failedOffline && this.client!.status === 'ready') {
      this.failedOffline = false;
      this.breaker.probeNow();
    }
    if (this.awaitingConnection() || !this.breaker.allow())
      throw this.remember(this.errors.circuitOpen(context), 'circuit_open');
    try {
      const result = await withDeadline(work(), this.operationTimeoutMs, () =>
        this.remember(this.errors.timeout(context, this.operationTimeoutMs), 'timeout'),
      );
      this.breaker.success();
      return result;
    } catch (error) {
      throw this.failed(error, context);
    }
  }

  /**
   * The bounded `error_type` of an error: `timeout` and `circuit_open` for this guard's own
   * errors, the Redis error's type for an `unavailable` one (or for a Redis error itself).
   */
  failureType(error: unknown): GuardFailureType {
    const own = typeof error === 'object' && error !== null ? this.thrown.get(error) : undefined;
    return own ?? classifyRedisError(error);
  }

  /** `closed`, `open` (calls skipped) or `half_open` (one probe may go); always `closed` without a breaker. */
  get breakerState(): 'closed' | 'open' | 'half_open' {
    return this.breaker.state;
  }

  /**
   * While the client makes its first connection, waits for it (bounded). A client that is
   * not connecting (lazy, or already failing and reconnecting) is not waited for.
   */
  private async firstConnection(): Promise<void> {
    const client = this.client!;
    if (client.status === 'connecting' || client.status === 'connect') {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          client.off('ready', done);
          resolve();
        };
        const timer = setTimeout(done, this.firstConnectTimeoutMs);
        client.once('ready', done);
      });
    }
    if (client.status === 'ready') this.connectedOnce = true;
  }

  /** A probe is due but the client is not connected: it would only wait out its timeout. */
  private awaitingConnection(): boolean {
    return this.client !== undefined && this.client.status !== 'ready' && this.breaker.state === 'half_open';
  }

  private failed(error: unknown, context: C): unknown {
    this.breaker.failure();
    if (this.client && this.client.status !== 'ready') this.failedOffline = true;
    const type = this.failureType(error);
    this.onFailure?.(type, error, context);
    if (typeof error === 'object' && error !== null && this.thrown.has(error)) return error;
    return this.errors.unavailable ? this.remember(this.errors.unavailable(context, error), type) : error;
  }

  private remember(error: Error, type: GuardFailureType): Error {
    this.thrown.set(error, type);
    return error;
  }
}
