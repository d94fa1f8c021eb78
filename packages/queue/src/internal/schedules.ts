import { context, SpanKind, type Tracer } from '@opentelemetry/api';
import type { Logger } from '@rnh/redis-client';
import type { Queue } from 'bullmq';
import { QueueArgumentError } from '../errors.js';
import { spanName } from '../tracing.js';
import type { QueueDefinition } from '../types.js';
import { templateOptions } from './job-options.js';
import { assertScheduleId } from './names.js';
import { parsePayload } from './payload.js';
import type { SecretFields } from './secret-fields.js';
import { injectJobContext } from './trace-context.js';

export interface CheckedSchedule {
  id: string;
  job: string;
  payload: unknown;
  repeat: { every: number } | { pattern: string; tz?: string };
}

/** A declared schedule as the typed ScheduleDefinition erases to. */
export interface LooseSchedule {
  job: string;
  payload: unknown;
  everyMs?: number | undefined;
  cron?: string | undefined;
  tz?: string | undefined;
}

/** Validates every declared schedule (ids, job names, payloads, timing) before anything is written. */
export function checkSchedules(
  definition: QueueDefinition,
  schedules: Readonly<Record<string, LooseSchedule>>,
): CheckedSchedule[] {
  return Object.entries(schedules).map(([id, schedule]) => {
    assertScheduleId(definition.name, id);
    const job = definition.jobs[schedule.job];
    if (!job)
      throw new QueueArgumentError(
        `schedule "${id}": queue "${definition.name}" has no job "${schedule.job}"`,
      );
    const payload = parsePayload(definition.name, schedule.job, job.schema, schedule.payload);
    if (schedule.everyMs !== undefined) {
      if (!Number.isSafeInteger(schedule.everyMs) || schedule.everyMs < 1)
        throw new QueueArgumentError(`schedule "${id}": everyMs must be an integer >= 1`);
      return { id, job: schedule.job, payload, repeat: { every: schedule.everyMs } };
    }
    if (typeof schedule.cron !== 'string' || !schedule.cron.trim())
      throw new QueueArgumentError(`schedule "${id}": needs everyMs or cron`);
    return {
      id,
      job: schedule.job,
      payload,
      repeat: { pattern: schedule.cron, ...(schedule.tz ? { tz: schedule.tz } : {}) },
    };
  });
}

/**
 * Makes the queue's job schedulers what the code declares: upserts each declared
 * one (BullMQ upserts are idempotent: redeclaring does not duplicate) and removes
 * the ones no longer declared. Jobs carry the context of this sync, so their
 * processing spans link to it.
 */
export async function syncSchedules(
  queue: Queue,
  definition: QueueDefinition,
  schedules: CheckedSchedule[],
  secrets: SecretFields,
  tracer: Tracer,
  logger: Logger,
): Promise<{ upserted: string[]; removed: string[] }> {
  return tracer.startActiveSpan(
    spanName('sync-schedules', definition.name),
    { kind: SpanKind.INTERNAL },
    async (span) => {
      try {
        const metadata = injectJobContext(context.active());
        for (const schedule of schedules) {
          await queue.upsertJobScheduler(schedule.id, schedule.repeat, {
            name: schedule.job,
            data: secrets.seal(schedule.job, schedule.payload),
            opts: templateOptions(definition.policies[schedule.job]!, metadata),
          });
        }
        const declared = new Set(schedules.map((schedule) => schedule.id));
        const removed: string[] = [];
        for (const existing of await queue.getJobSchedulers(0, -1)) {
          const id = existing.id ?? existing.key;
          if (declared.has(id)) continue;
          await queue.removeJobScheduler(id);
          removed.push(id);
        }
        const upserted = [...declared];
        logger.info({ queue: definition.name, schedules: upserted, removed }, 'queue schedules synced');
        return { upserted, removed };
      } finally {
        span.end();
      }
    },
  );
}
