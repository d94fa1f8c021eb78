import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadline, Deadlines } from './deadlines.js';
import type { TimeoutError } from './timeout.js';

class Operation extends Deadline {
  expired: TimeoutError | undefined;

  expire(error: TimeoutError): void {
    this.expired = error;
  }
}

describe('Deadlines', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('expires what did not settle in time, oldest first, and nothing that settled', () => {
    const deadlines = new Deadlines(1000, 'enqueue');
    const [first, second, third] = [new Operation(), new Operation(), new Operation()];
    deadlines.start(first);
    vi.advanceTimersByTime(400);
    deadlines.start(second);
    deadlines.start(third);
    expect(deadlines.settle(second)).toBe(true);

    vi.advanceTimersByTime(600);
    expect(first.expired?.message).toBe('enqueue timed out after 1000 ms');
    expect(third.expired).toBeUndefined();
    vi.advanceTimersByTime(400);
    expect(third.expired).toBeDefined();
    expect(second.expired).toBeUndefined();
    // A late answer to an expired operation is refused.
    expect(deadlines.settle(first)).toBe(false);
  });

  it('keeps no timer while nothing is pending', () => {
    const deadlines = new Deadlines(1000, 'enqueue');
    const operation = new Operation();
    deadlines.start(operation);
    expect(vi.getTimerCount()).toBe(1);
    deadlines.settle(operation);
    expect(vi.getTimerCount()).toBe(0);
    // Settled twice: the second time says it was not pending any more.
    expect(deadlines.settle(operation)).toBe(false);
  });

  it('can start an operation again once it settled', () => {
    const deadlines = new Deadlines(1000, 'enqueue');
    const operation = new Operation();
    deadlines.start(operation);
    deadlines.settle(operation);
    deadlines.start(operation);
    vi.advanceTimersByTime(1000);
    expect(operation.expired).toBeDefined();
  });
});
