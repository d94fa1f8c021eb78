import type { Job } from 'bullmq';
import type { DeadJob, DeadJobReason } from '../types.js';
import { errorNameFromStack, parseAttemptLines } from './attempt-log.js';

/** BullMQ's reason for a job that stalled more than `maxStalledCount` times. */
const STALLED_TOO_OFTEN = 'job stalled more than allowable limit';

/** The dead-letter entry of a job that failed for good: payload, last error and attempt history. */
export function buildDeadJob(queue: string, job: Job, logLines: readonly string[], now: number): DeadJob {
  const attempts = parseAttemptLines(logLines);
  const maxAttempts = job.opts.attempts ?? 1;
  const stacktrace = (job.stacktrace ?? []).filter((line): line is string => typeof line === 'string');
  const lastRecorded = attempts.at(-1);
  const message = job.failedReason ?? lastRecorded?.error.message ?? 'unknown error';
  const name =
    lastRecorded && lastRecorded.error.message === message
      ? lastRecorded.error.name
      : (errorNameFromStack(stacktrace.at(-1)) ?? 'Error');
  const scheduleId = schedulerIdOf(job);
  return {
    id: String(job.id),
    queue,
    name: job.name,
    payload: job.data as unknown,
    reason: reasonOf(job, message, maxAttempts),
    error: { name, message },
    attemptsMade: job.attemptsMade,
    attemptsStarted: job.attemptsStarted,
    maxAttempts,
    attempts,
    stacktrace,
    enqueuedAt: new Date(job.timestamp).toISOString(),
    deadAt: new Date(now).toISOString(),
    ...(scheduleId ? { scheduleId } : {}),
  };
}

function reasonOf(job: Job, message: string, maxAttempts: number): DeadJobReason {
  if (message === STALLED_TOO_OFTEN) return 'stalled';
  return job.attemptsMade >= maxAttempts ? 'attempts-exhausted' : 'unrecoverable';
}

/** The scheduler that produced a job (BullMQ stores its id as `repeatJobKey`). */
export function schedulerIdOf(job: Pick<Job, 'repeatJobKey'>): string | undefined {
  return job.repeatJobKey ? job.repeatJobKey : undefined;
}
