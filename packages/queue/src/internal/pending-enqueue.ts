import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { QueueError, QueueUnavailableError } from '../errors.js';
import { SPAN_ATTRIBUTES as A } from '../tracing.js';
import type { EnqueueResult } from '../types.js';
import { Deadline } from './deadlines.js';
import type { SendType } from './send-types.js';
import type { TimeoutError } from './timeout.js';

/**
 * An enqueue waiting for BullMQ's answer: the promise its caller holds, its `send`
 * span, and its place in the producer's deadline list. Settled once, by the answer or
 * by the deadline, whichever comes first.
 */
abstract class PendingEnqueue<T> extends Deadline {
  readonly promise: Promise<T>;
  private resolve!: (value: T) => void;
  private reject!: (error: QueueError) => void;

  constructor(
    private readonly queue: string,
    protected readonly span: Span,
    /** What was not enqueued, for the error: `job "welcome"`, `3 jobs`. */
    private readonly description: string,
  ) {
    super();
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  expire(error: TimeoutError): void {
    this.fail(error);
  }

  fail(error: unknown): void {
    this.reject(failure(this.queue, this.span, this.description, error));
  }

  protected done(value: T): void {
    this.span.end();
    this.resolve(value);
  }
}

export class PendingJob extends PendingEnqueue<EnqueueResult> {
  constructor(
    queue: string,
    span: Span,
    private readonly type: SendType,
    /** The id given to BullMQ (a retry's, or ours with an idempotency key); undefined: BullMQ numbers it. */
    private readonly id: string | undefined,
  ) {
    super(queue, span, type.description);
  }

  succeed(addedId: string): void {
    // BullMQ answers the earlier job's id when an idempotency key matched it.
    const deduplicated = this.id !== undefined && addedId !== this.id;
    if (this.span.isRecording()) {
      this.span.setAttribute(A.messageId, addedId);
      this.span.setAttribute(A.deduplicated, deduplicated);
    }
    if (!deduplicated) this.type.enqueued?.inc();
    this.done({ id: addedId, deduplicated });
  }
}

export class PendingBulk extends PendingEnqueue<EnqueueResult[]> {
  constructor(
    queue: string,
    span: Span,
    description: string,
    private readonly types: readonly SendType[],
    private readonly ids: ReadonlyArray<string | undefined>,
  ) {
    super(queue, span, description);
  }

  succeed(addedIds: readonly string[]): void {
    const results = addedIds.map((addedId, index): EnqueueResult => {
      const id = this.ids[index];
      const deduplicated = id !== undefined && addedId !== id;
      if (!deduplicated) this.types[index]!.enqueued?.inc();
      return { id: addedId, deduplicated };
    });
    this.done(results);
  }
}

/** Ends the span as failed; the error to reject with (a QueueError as it is, anything else as QueueUnavailableError). */
export function failure(queue: string, span: Span, description: string, error: unknown): QueueError {
  const failed =
    error instanceof QueueError
      ? error
      : new QueueUnavailableError(
          queue,
          'enqueue',
          `${description} not enqueued: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
  span.recordException(failed);
  span.setStatus({ code: SpanStatusCode.ERROR, message: failed.name });
  span.end();
  return failed;
}
