/** Every error this package throws has a stable `code` to branch on; `cause` keeps the underlying error. */
export type QueueErrorCode =
  | 'QUEUE_INVALID_ARGUMENT'
  | 'QUEUE_INVALID_PAYLOAD'
  | 'QUEUE_UNAVAILABLE'
  | 'QUEUE_DEAD_JOB_NOT_FOUND'
  | 'QUEUE_SEALING'
  | 'QUEUE_CLOSED';

export class QueueError extends Error {
  readonly code: QueueErrorCode;

  constructor(code: QueueErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad configuration or argument: an unknown job name, a queue name with `:` or braces, a negative delay. */
export class QueueArgumentError extends QueueError {
  constructor(message: string) {
    super('QUEUE_INVALID_ARGUMENT', message);
  }
}

/** One problem the payload schema found: where (a dotted path, `` for the root) and the schema's message. */
export interface PayloadIssue {
  path: string;
  message: string;
}

/**
 * The payload does not satisfy the job's schema. Thrown by `enqueue` before
 * anything reaches Redis (an HTTP API answers 400 with `message`). The message
 * is the schema's own, never the offending value.
 */
export class QueueValidationError extends QueueError {
  readonly queue: string;
  readonly jobName: string;
  readonly issues: readonly PayloadIssue[];

  constructor(queue: string, jobName: string, issues: readonly PayloadIssue[]) {
    const detail = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
    super('QUEUE_INVALID_PAYLOAD', `invalid payload for job "${jobName}": ${detail.join('; ')}`);
    this.queue = queue;
    this.jobName = jobName;
    this.issues = issues;
  }
}

/**
 * Redis did not take the job: not connected, too slow, or it failed. The job may
 * or may not have been added when the cause is a timeout; an idempotency key
 * makes a retry safe. An HTTP API answers 503.
 */
export class QueueUnavailableError extends QueueError {
  readonly queue: string;
  readonly operation: string;

  constructor(queue: string, operation: string, message: string, options?: { cause?: unknown }) {
    super('QUEUE_UNAVAILABLE', message, options);
    this.queue = queue;
    this.operation = operation;
  }
}

/** No dead job with that id (already retried, purged or trimmed). */
export class DeadJobNotFoundError extends QueueError {
  readonly queue: string;
  readonly id: string;

  constructor(queue: string, id: string) {
    super('QUEUE_DEAD_JOB_NOT_FOUND', `no dead job "${id}" in queue "${queue}"`);
    this.queue = queue;
    this.id = id;
  }
}

/**
 * A secret payload field could not be sealed or opened: no `sealingKey` was given, or
 * a sealed value does not open with it (sealed with another key, or altered). The
 * message never holds the value.
 */
export class QueueSealingError extends QueueError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('QUEUE_SEALING', message, options);
  }
}

/** Used after `close()`. */
export class QueueClosedError extends QueueError {
  constructor(message: string) {
    super('QUEUE_CLOSED', message);
  }
}
