// Public API of @rnh/queue. Every export is listed here on purpose.

export type {
  AttemptRecord,
  BackoffPolicy,
  BulkJob,
  DeadJob,
  DeadJobPage,
  DeadJobReason,
  DeadLetterPolicy,
  EnqueueOptions,
  EnqueueResult,
  JobContext,
  JobDefinition,
  JobDefinitions,
  JobHandler,
  JobHandlers,
  JobName,
  JobPolicy,
  JobState,
  Payload,
  PayloadInput,
  QueueCounts,
  QueueDefinition,
  QueueDeps,
  QueueProducerOptions,
  QueueSpec,
  QueueWorkerOptions,
  ResolvedJobPolicy,
  RetentionPolicy,
  ScheduleDefinition,
  ScheduleDefinitions,
  ScheduleTiming,
  SealerOptions,
  SecretField,
  ShutdownResult,
} from './types.js';

export {
  DeadJobNotFoundError,
  QueueArgumentError,
  QueueClosedError,
  QueueError,
  QueueSealingError,
  QueueUnavailableError,
  QueueValidationError,
} from './errors.js';
export type { PayloadIssue, QueueErrorCode } from './errors.js';

export { defineJob, defineQueue } from './define.js';
export { QueueProducer } from './producer.js';
export { QueueWorker } from './worker.js';
export { DeadLetterQueue } from './dead-letters.js';
export { REDACTED } from './internal/secret-fields.js';
export { Sealer } from './internal/sealer.js';
export { checkEvictionPolicy } from './internal/eviction-check.js';
export type { EvictionPolicyCheck, EvictionPolicyCheckOptions } from './internal/eviction-check.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DEAD_LETTER_POLICY,
  DEFAULT_JOB_POLICY,
  DEFAULT_KEY_PREFIX,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_WORKER_OPTIONS,
} from './defaults.js';
export {
  createQueueMetrics,
  DEPTH_STATES,
  PROCESSING_BUCKETS,
  QueueMetrics,
  WAIT_BUCKETS,
} from './metrics.js';
export type { DepthSample, DepthSource } from './metrics.js';
export { MESSAGING_SYSTEM, SPAN_ATTRIBUTES, TRACER_NAME } from './tracing.js';
/** Throw it from a handler to fail the job at once, without retries: it goes straight to the dead-letter store. */
export { UnrecoverableError } from 'bullmq';
