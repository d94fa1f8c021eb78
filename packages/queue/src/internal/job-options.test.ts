import { describe, expect, it } from 'vitest';
import { DEFAULT_JOB_POLICY, KEEP_LOGS, STACK_TRACE_LIMIT } from '../defaults.js';
import { QueueArgumentError } from '../errors.js';
import { assertEnqueueOptions, idempotencyId, jobOptions } from './job-options.js';

describe('job options', () => {
  it('maps a policy to bounded BullMQ options with jittered exponential backoff', () => {
    expect(jobOptions('welcome', DEFAULT_JOB_POLICY, {}, 'id-1', undefined)).toEqual({
      jobId: 'id-1',
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
      removeOnComplete: { age: 86_400, count: 1000 },
      removeOnFail: { age: 604_800, count: 10_000 },
      keepLogs: KEEP_LOGS,
      stackTraceLimit: STACK_TRACE_LIMIT,
    });
  });

  it('adds delay, priority, trace metadata and a hashed idempotency key', () => {
    const options = jobOptions(
      'welcome',
      DEFAULT_JOB_POLICY,
      { delayMs: 500, priority: 3, idempotencyKey: 'user-42@example.com', idempotencyTtlMs: 60_000 },
      'id-2',
      '{"traceparent":"x"}',
    );
    expect(options).toMatchObject({
      delay: 500,
      priority: 3,
      telemetry: { metadata: '{"traceparent":"x"}' },
      deduplication: { id: idempotencyId('welcome', 'user-42@example.com'), ttl: 60_000 },
    });
    expect(options.deduplication!.id).toMatch(/^welcome:[0-9a-f]{32}$/);
    expect(JSON.stringify(options)).not.toContain('user-42');
  });

  it('refuses out-of-range options', () => {
    for (const bad of [
      { delayMs: -1 },
      { delayMs: 1.5 },
      { priority: 0 },
      { priority: 3_000_000 },
      { idempotencyKey: '' },
    ])
      expect(() => assertEnqueueOptions(bad)).toThrow(QueueArgumentError);
  });
});
