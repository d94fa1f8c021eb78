import { TimeoutError } from './timeout.js';

/**
 * One pending operation with a deadline. The operation itself is the list node (no
 * wrapper object, no closure per operation); `expire` is called when its time is up.
 */
export abstract class Deadline {
  /** performance.now() at which it expires. */
  deadlineAt = 0;
  /** Neighbours in its Deadlines' list; `queued` is false once it has settled or expired. */
  previousDeadline: Deadline | undefined = undefined;
  nextDeadline: Deadline | undefined = undefined;
  queued = false;

  abstract expire(error: TimeoutError): void;
}

/**
 * Deadlines of one length for many pending operations: `start(deadline)` when one
 * begins, `settle(deadline)` when it ends (false if it had expired already). They
 * expire in the order they were started (same length), so a linked list in that order
 * is all it takes: O(1) to add and to remove, whatever the number pending. One timer
 * for all, armed for the oldest and cleared whenever nothing is pending.
 */
export class Deadlines {
  private oldest: Deadline | undefined;
  private newest: Deadline | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly what: string,
  ) {}

  start(deadline: Deadline): void {
    deadline.deadlineAt = performance.now() + this.ms;
    deadline.queued = true;
    deadline.previousDeadline = this.newest;
    deadline.nextDeadline = undefined;
    if (this.newest) this.newest.nextDeadline = deadline;
    else this.oldest = deadline;
    this.newest = deadline;
    this.timer ??= setTimeout(this.expire, this.ms);
  }

  /** Ends `deadline`; false when it had already expired (its operation was given up). */
  settle(deadline: Deadline): boolean {
    if (!deadline.queued) return false;
    this.unlink(deadline);
    if (!this.oldest && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    return true;
  }

  private unlink(deadline: Deadline): void {
    const { previousDeadline: previous, nextDeadline: next } = deadline;
    if (previous) previous.nextDeadline = next;
    else this.oldest = next;
    if (next) next.previousDeadline = previous;
    else this.newest = previous;
    deadline.previousDeadline = deadline.nextDeadline = undefined;
    deadline.queued = false;
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    for (let deadline = this.oldest; deadline; deadline = this.oldest) {
      if (deadline.deadlineAt > now) {
        this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(deadline.deadlineAt - now)));
        return;
      }
      this.unlink(deadline);
      deadline.expire(new TimeoutError(`${this.what} timed out after ${this.ms} ms`));
    }
  };
}
