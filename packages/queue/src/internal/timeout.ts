import { withDeadline } from '@rnh/redis-client';

export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** `promise`, or a TimeoutError after `ms` (the work itself goes on; its late outcome is ignored). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(promise, ms, () => new TimeoutError(`${what} timed out after ${ms} ms`));
}

/**
 * Deadlines of one length for many pending operations: `start(onExpire)` when one
 * begins, `settle(deadline)` when it ends (false if it had expired already). All
 * share one timer (same length: they expire in the order they were started), cleared
 * whenever nothing is pending: no timer and no extra promise per operation.
 */
export class Deadlines {
  // Insertion order is deadline order.
  private readonly pending = new Set<Deadline>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly what: string,
  ) {}

  start(onExpire: (error: TimeoutError) => void): Deadline {
    const deadline: Deadline = { at: performance.now() + this.ms, onExpire };
    this.pending.add(deadline);
    this.timer ??= setTimeout(this.expire, this.ms);
    return deadline;
  }

  /** Ends `deadline`; false when it had already expired (its operation was given up). */
  settle(deadline: Deadline): boolean {
    if (!this.pending.delete(deadline)) return false;
    if (this.pending.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    return true;
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    for (const deadline of this.pending) {
      if (deadline.at > now) {
        this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(deadline.at - now)));
        return;
      }
      this.pending.delete(deadline);
      deadline.onExpire(new TimeoutError(`${this.what} timed out after ${this.ms} ms`));
    }
  };
}

export interface Deadline {
  at: number;
  onExpire: (error: TimeoutError) => void;
}
