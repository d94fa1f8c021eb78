// Span names and attributes (OpenTelemetry messaging conventions where they exist).
// Spans carry the queue, job type, job id and attempt: never a payload value,
// an idempotency key or a handler's result.

export const TRACER_NAME = '@rnh/queue';

export const SPAN_ATTRIBUTES = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  messageId: 'messaging.message.id',
  jobName: 'messaging.bullmq.job.name',
  attempt: 'messaging.bullmq.job.attempt',
  deduplicated: 'messaging.bullmq.job.deduplicated',
  scheduleId: 'messaging.bullmq.job.scheduler.id',
  /** On the one `send` span of an `enqueueBulk`: how many jobs it added. */
  batchCount: 'messaging.batch.message_count',
} as const;

export const MESSAGING_SYSTEM = 'bullmq';

/** `send <queue>` (producer), `process <queue>` (consumer, one per attempt), `sync-schedules <queue>`. */
export const spanName = (operation: 'send' | 'process' | 'sync-schedules', queue: string) =>
  `${operation} ${queue}`;
