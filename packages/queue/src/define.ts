import type { z } from 'zod';
import { DEFAULT_DEAD_LETTER_POLICY, DEFAULT_JOB_POLICY } from './defaults.js';
import { QueueArgumentError } from './errors.js';
import { assertJobName, assertQueueName } from './internal/names.js';
import { assertSecretFields } from './internal/secret-fields.js';
import type {
  DeadLetterPolicy,
  JobDefinition,
  JobDefinitions,
  JobPolicy,
  QueueDefinition,
  QueueSpec,
  ResolvedJobPolicy,
} from './types.js';

/** Identity helper that keeps a job definition's schema type when written outside defineQueue. */
export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

/**
 * Declares a queue: its name, its job types (payload schema + policy) and its
 * dead-letter bounds. Validates everything now, so a typo fails at start-up.
 * Import the same definition in the app that enqueues and the one that works.
 */
export function defineQueue<J extends JobDefinitions>(spec: QueueSpec<J>): QueueDefinition<J> {
  assertQueueName(spec.name);
  const names = Object.keys(spec.jobs);
  if (names.length === 0) throw new QueueArgumentError(`queue "${spec.name}" declares no jobs`);
  const base = resolvePolicy(spec.name, 'defaults', DEFAULT_JOB_POLICY, spec.defaults ?? {});
  const policies = {} as Record<string, ResolvedJobPolicy>;
  for (const name of names) {
    assertJobName(spec.name, name);
    const definition = spec.jobs[name]!;
    if (!definition || typeof definition.schema?.safeParse !== 'function')
      throw new QueueArgumentError(`job "${name}" in queue "${spec.name}" needs a zod schema`);
    assertSecretFields(spec.name, name, definition.secret, definition.schema);
    policies[name] = resolvePolicy(spec.name, name, base, definition);
  }
  return Object.freeze({
    name: spec.name,
    jobs: spec.jobs,
    policies: Object.freeze(policies) as QueueDefinition<J>['policies'],
    deadLetter: resolveDeadLetter(spec.name, spec.deadLetter ?? {}),
  });
}

function resolvePolicy(
  queue: string,
  what: string,
  base: ResolvedJobPolicy,
  policy: JobPolicy,
): ResolvedJobPolicy {
  const resolved: ResolvedJobPolicy = {
    attempts: policy.attempts ?? base.attempts,
    backoff: { ...base.backoff, ...defined(policy.backoff) },
    removeOnComplete: { ...base.removeOnComplete, ...defined(policy.removeOnComplete) },
    removeOnFail: { ...base.removeOnFail, ...defined(policy.removeOnFail) },
    idempotencyTtlMs: policy.idempotencyTtlMs ?? base.idempotencyTtlMs,
  };
  const where = `queue "${queue}", ${what}`;
  positiveInteger(where, 'attempts', resolved.attempts, 1);
  positiveInteger(where, 'backoff.delayMs', resolved.backoff.delayMs, 0);
  if (!(resolved.backoff.jitter >= 0 && resolved.backoff.jitter <= 1))
    throw new QueueArgumentError(`${where}: backoff.jitter must be between 0 and 1`);
  for (const key of ['removeOnComplete', 'removeOnFail'] as const) {
    positiveInteger(where, `${key}.ageSeconds`, resolved[key].ageSeconds, 1);
    positiveInteger(where, `${key}.count`, resolved[key].count, 1);
  }
  positiveInteger(where, 'idempotencyTtlMs', resolved.idempotencyTtlMs, 1);
  return resolved;
}

function resolveDeadLetter(queue: string, policy: Partial<DeadLetterPolicy>): DeadLetterPolicy {
  const resolved = { ...DEFAULT_DEAD_LETTER_POLICY, ...defined(policy) };
  positiveInteger(`queue "${queue}"`, 'deadLetter.maxEntries', resolved.maxEntries, 1);
  positiveInteger(`queue "${queue}"`, 'deadLetter.maxAgeMs', resolved.maxAgeMs, 1);
  return resolved;
}

function positiveInteger(where: string, field: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min)
    throw new QueueArgumentError(`${where}: ${field} must be an integer >= ${min} (got ${value})`);
}

function defined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
