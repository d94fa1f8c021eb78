import { createHash } from 'node:crypto';
import type { JobSchedulerTemplateOptions, JobsOptions } from 'bullmq';
import { KEEP_LOGS, STACK_TRACE_LIMIT } from '../defaults.js';
import { QueueArgumentError } from '../errors.js';
import type { EnqueueOptions, ResolvedJobPolicy } from '../types.js';

const MAX_PRIORITY = 2_097_151;

/** BullMQ options of a job from its type's policy: retries, backoff, retention, logs. */
export function templateOptions(
  policy: ResolvedJobPolicy,
  metadata: string | undefined,
): JobSchedulerTemplateOptions {
  return {
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoff.delayMs, jitter: policy.backoff.jitter },
    removeOnComplete: { age: policy.removeOnComplete.ageSeconds, count: policy.removeOnComplete.count },
    removeOnFail: { age: policy.removeOnFail.ageSeconds, count: policy.removeOnFail.count },
    keepLogs: KEEP_LOGS,
    stackTraceLimit: STACK_TRACE_LIMIT,
    ...(metadata ? { telemetry: { metadata } } : {}),
  };
}

/**
 * BullMQ options of one enqueue: the policy's (`base`: `templateOptions(policy)`,
 * which a caller may compute once per job type), plus id (none: BullMQ numbers the
 * job), trace metadata, delay, priority and idempotency.
 */
export function jobOptions(
  jobName: string,
  policy: ResolvedJobPolicy,
  options: EnqueueOptions,
  jobId: string | undefined,
  metadata: string | undefined,
  base: JobsOptions = templateOptions(policy, undefined),
): JobsOptions {
  // A literal of fixed shape, not a spread copy of `base`: cheaper on every enqueue.
  const opts: JobsOptions = {
    attempts: base.attempts,
    backoff: base.backoff,
    removeOnComplete: base.removeOnComplete,
    removeOnFail: base.removeOnFail,
    keepLogs: base.keepLogs,
    stackTraceLimit: base.stackTraceLimit,
  };
  if (jobId !== undefined) opts.jobId = jobId;
  if (metadata) opts.telemetry = { metadata };
  if (options.delayMs) opts.delay = options.delayMs;
  if (options.priority) opts.priority = options.priority;
  if (options.idempotencyKey !== undefined) {
    opts.deduplication = {
      id: idempotencyId(jobName, options.idempotencyKey),
      ttl: options.idempotencyTtlMs ?? policy.idempotencyTtlMs,
    };
  }
  return opts;
}

/** The deduplication id: job name + a hash of the key (the key itself may be personal data). */
export function idempotencyId(jobName: string, key: string): string {
  return `${jobName}:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

export function assertEnqueueOptions(options: EnqueueOptions): void {
  const { delayMs, priority, idempotencyKey, idempotencyTtlMs } = options;
  if (delayMs !== undefined && !(Number.isSafeInteger(delayMs) && delayMs >= 0))
    throw new QueueArgumentError(`delayMs must be an integer >= 0 (got ${delayMs})`);
  if (
    priority !== undefined &&
    !(Number.isSafeInteger(priority) && priority >= 1 && priority <= MAX_PRIORITY)
  )
    throw new QueueArgumentError(`priority must be an integer from 1 to ${MAX_PRIORITY} (got ${priority})`);
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0))
    throw new QueueArgumentError('idempotencyKey must be a non-empty string');
  if (idempotencyTtlMs !== undefined && !(Number.isSafeInteger(idempotencyTtlMs) && idempotencyTtlMs >= 1))
    throw new QueueArgumentError(`idempotencyTtlMs must be an integer >= 1 (got ${idempotencyTtlMs})`);
}
