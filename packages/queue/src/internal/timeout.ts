export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** `promise`, or a TimeoutError after `ms` (the work itself goes on; its late outcome is ignored). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * `race(promise)`: `promise`, or a TimeoutError `ms` after the call. All pending
 * deadlines share one timer (they have one length, so they expire in the order they
 * were set): no timer per call. The timer is cleared whenever nothing is pending.
 */
export class Deadlines {
  // Insertion order is deadline order.
  private readonly pending = new Set<Deadline>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly what: string,
  ) {}

  race<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadline: Deadline = { at: performance.now() + this.ms, reject };
      this.pending.add(deadline);
      this.timer ??= setTimeout(this.expire, this.ms);
      promise.then(
        (value) => {
          this.settle(deadline);
          resolve(value);
        },
        (error: unknown) => {
          this.settle(deadline);
          reject(error);
        },
      );
    });
  }

  private settle(deadline: Deadline): void {
    this.pending.delete(deadline);
    if (this.pending.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
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
      deadline.reject(new TimeoutError(`${this.what} timed out after ${this.ms} ms`));
    }
  };
}

interface Deadline {
  at: number;
  reject: (error: Error) => void;
}
