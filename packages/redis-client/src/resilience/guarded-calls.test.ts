import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import {
  RedisGuard,
  type GuardedClient,
  type GuardFailureType,
  type RedisGuardErrors,
} from './guarded-calls.js';

/** A package's own coded error, as the guard is told to build it. */
class PackageError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const errors: RedisGuardErrors<string> = {
  timeout: (operation, ms) => new PackageError('PKG_TIMEOUT', `${operation} timed out after ${ms} ms`),
  circuitOpen: (operation) => new PackageError('PKG_CIRCUIT_OPEN', `${operation} skipped: breaker open`),
  unavailable: (operation, cause) => new PackageError('PKG_UNAVAILABLE', `${operation} failed`, { cause }),
  invalidOption: (message) => new PackageError('PKG_INVALID_ARGUMENT', message),
};

function replyError(message: string): Error {
  return Object.assign(new Error(message), { name: 'ReplyError' });
}

function setup(
  options: { failureThreshold?: number; operationTimeoutMs?: number; client?: GuardedClient } = {},
) {
  let now = 0;
  const failures: Array<{ type: GuardFailureType; error: unknown; operation: string }> = [];
  const guard = new RedisGuard<string>({
    operationTimeoutMs: options.operationTimeoutMs ?? 60_000,
    breaker: { failureThreshold: options.failureThreshold ?? 2, cooldownMs: 1000 },
    errors,
    onFailure: (type, error, operation) => failures.push({ type, error, operation }),
    now: () => now,
    ...(options.client ? { client: options.client } : {}),
  });
  return {
    guard,
    failures,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const never = () => new Promise<never>(() => undefined);

/** An ioredis client as the guard sees it: a status and a `ready` event. */
function fakeClient(status: string) {
  return Object.assign(new EventEmitter(), { status });
}

describe('RedisGuard', () => {
  it('passes a result through and keeps the breaker closed', async () => {
    const { guard, failures } = setup();
    await expect(guard.run(() => Promise.resolve('OK'), 'set')).resolves.toBe('OK');
    expect(guard.breakerState).toBe('closed');
    expect(failures).toEqual([]);
  });

  it("wraps a Redis error in the package's unavailable error, classified and reported once", async () => {
    const { guard, failures } = setup();
    const cause = replyError('WRONGTYPE Operation against a key holding the wrong kind of value');
    const error = await guard.run(() => Promise.reject(cause), 'get').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'PKG_UNAVAILABLE', message: 'get failed', cause });
    expect(guard.failureType(error)).toBe('WRONGTYPE');
    expect(failures).toEqual([{ type: 'WRONGTYPE', error: cause, operation: 'get' }]);
  });

  it('a work function that throws before returning a promise counts as a failed call', async () => {
    const { guard, failures } = setup();
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const error = await guard
      .run(() => {
        throw cause;
      }, 'get')
      .catch((caught: unknown) => caught);
    expect(guard.failureType(error)).toBe('connection');
    expect(failures.map((failure) => failure.type)).toEqual(['connection']);
  });

  it("gives up a call at the deadline with the package's timeout error", async () => {
    const { guard, failures } = setup({ operationTimeoutMs: 5 });
    const error = await guard.run(never, 'delete').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'PKG_TIMEOUT', message: 'delete timed out after 5 ms' });
    expect(guard.failureType(error)).toBe('timeout');
    expect(failures).toEqual([{ type: 'timeout', error, operation: 'delete' }]);
  });

  it('opens after failureThreshold failures in a row, skips calls while open, probes once after the cool-down', async () => {
    const { guard, failures, advance } = setup({ failureThreshold: 2 });
    const fail = () => Promise.reject(new Error('Connection is closed.'));
    await guard.run(fail, 'get').catch(() => undefined);
    await guard.run(() => Promise.resolve(1), 'get'); // a success resets the count
    await guard.run(fail, 'get').catch(() => undefined);
    expect(guard.breakerState).toBe('closed');
    await guard.run(fail, 'get').catch(() => undefined);
    expect(guard.breakerState).toBe('open');

    let called = false;
    const skipped = await guard
      .run(() => {
        called = true;
        return Promise.resolve(1);
      }, 'set')
      .catch((caught: unknown) => caught);
    expect(called).toBe(false);
    expect(skipped).toMatchObject({ code: 'PKG_CIRCUIT_OPEN', message: 'set skipped: breaker open' });
    expect(guard.failureType(skipped)).toBe('circuit_open');
    // A skipped call is not a failure of Redis: not reported.
    expect(failures).toHaveLength(3);

    advance(999);
    expect(guard.breakerState).toBe('open');
    advance(1);
    expect(guard.breakerState).toBe('half_open');
    const probe = guard.run(never, 'get'); // the one probe, still pending
    await expect(guard.run(() => Promise.resolve(1), 'get')).rejects.toMatchObject({
      code: 'PKG_CIRCUIT_OPEN',
    });
    void probe.catch(() => undefined);

    const recovered = setup({ failureThreshold: 1 });
    await recovered.guard.run(fail, 'get').catch(() => undefined);
    recovered.advance(1000);
    await expect(recovered.guard.run(() => Promise.resolve('back'), 'get')).resolves.toBe('back');
    expect(recovered.guard.breakerState).toBe('closed');
  });

  it('with breaker: false never skips a call', async () => {
    const guard = new RedisGuard<string>({ operationTimeoutMs: 1000, breaker: false, errors });
    for (let i = 0; i < 10; i += 1)
      await guard.run(() => Promise.reject(new Error('Connection is closed.')), 'get').catch(() => undefined);
    expect(guard.breakerState).toBe('closed');
    await expect(guard.run(() => Promise.resolve('OK'), 'get')).resolves.toBe('OK');
  });

  it("without an unavailable error, rethrows Redis's own error (still classified)", async () => {
    const guard = new RedisGuard<void>({
      operationTimeoutMs: 1000,
      breaker: false,
      errors: {
        timeout: () => new Error('timed out'),
        circuitOpen: () => new Error('open'),
        invalidOption: (message) => new Error(message),
      },
    });
    const cause = replyError('NOSCRIPT No matching script');
    await expect(guard.run(() => Promise.reject(cause))).rejects.toBe(cause);
    expect(guard.failureType(cause)).toBe('NOSCRIPT');
  });

  it('classifies errors it did not throw as classifyRedisError does', () => {
    const { guard } = setup();
    expect(guard.failureType(replyError('OOM command not allowed'))).toBe('OOM');
    expect(guard.failureType(new PackageError('PKG_TIMEOUT', 'made elsewhere'))).toBe('other');
    expect(guard.failureType('not an error')).toBe('other');
  });

  it("rejects options that are not positive numbers with the package's argument error", () => {
    const build = (operationTimeoutMs: number, failureThreshold: number, cooldownMs: number) =>
      new RedisGuard<string>({ operationTimeoutMs, breaker: { failureThreshold, cooldownMs }, errors });
    expect(() => build(0, 5, 1000)).toThrow(
      expect.objectContaining({
        code: 'PKG_INVALID_ARGUMENT',
        message: 'operationTimeoutMs must be > 0 (got 0)',
      }),
    );
    expect(() => build(100, -1, 1000)).toThrow('breaker.failureThreshold must be > 0 (got -1)');
    expect(() => build(100, 5, Number.NaN)).toThrow('breaker.cooldownMs must be > 0 (got NaN)');
    expect(() => build(Number.POSITIVE_INFINITY, 5, 1000)).toThrow('operationTimeoutMs must be > 0');
  });

  it('skips the probe while its client reconnects, and probes once the client is ready', async () => {
    const client = fakeClient('ready');
    const { guard, advance } = setup({ failureThreshold: 1, client });
    await guard.run(() => Promise.reject(replyError('ERR down')), 'get').catch(() => undefined);
    client.status = 'reconnecting';
    advance(1000); // the cool-down is over: a probe would be due
    let calls = 0;
    const work = () => {
      calls += 1;
      return Promise.resolve('OK');
    };
    const skipped = await guard.run(work, 'get').catch((caught: unknown) => caught);
    expect(skipped).toMatchObject({ code: 'PKG_CIRCUIT_OPEN' });
    expect(guard.failureType(skipped)).toBe('circuit_open');
    expect(calls).toBe(0);
    client.status = 'ready';
    await expect(guard.run(work, 'get')).resolves.toBe('OK');
    expect(calls).toBe(1);
    expect(guard.breakerState).toBe('closed');
  });

  it('lets calls through a reconnecting client while the breaker is closed (they may wait for it)', async () => {
    const client = fakeClient('reconnecting');
    const { guard } = setup({ client });
    await expect(guard.run(() => Promise.resolve('OK'), 'get')).resolves.toBe('OK');
  });

  it("waits for the client's first connection before the operation timeout starts", async () => {
    const client = fakeClient('connecting');
    const { guard } = setup({ client, operationTimeoutMs: 1 });
    let started = false;
    const call = guard.run(() => {
      started = true;
      return Promise.resolve('OK');
    }, 'get');
    await Promise.resolve();
    expect(started).toBe(false); // not sent (and not timed) while connecting
    client.status = 'ready';
    client.emit('ready');
    await expect(call).resolves.toBe('OK');
    expect(started).toBe(true);
  });

  it('probes as soon as the client is back after failures it caused, without waiting out the cool-down', async () => {
    const client = fakeClient('ready');
    const { guard } = setup({ failureThreshold: 1, client });
    client.status = 'reconnecting';
    await guard.run(() => Promise.reject(replyError('ERR down')), 'get').catch(() => undefined);
    expect(guard.breakerState).toBe('open');
    client.status = 'ready'; // no time has passed: the cool-down is not over
    await expect(guard.run(() => Promise.resolve('OK'), 'get')).resolves.toBe('OK');
    expect(guard.breakerState).toBe('closed');
  });

  it('keeps the cool-down after failures with the client connected (Redis itself answered badly)', async () => {
    const client = fakeClient('ready');
    const { guard } = setup({ failureThreshold: 1, client });
    await guard.run(() => Promise.reject(replyError('ERR slow')), 'get').catch(() => undefined);
    const skipped = await guard.run(() => Promise.resolve('OK'), 'get').catch((caught: unknown) => caught);
    expect(skipped).toMatchObject({ code: 'PKG_CIRCUIT_OPEN' });
  });
});
