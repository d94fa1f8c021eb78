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
