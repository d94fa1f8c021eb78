import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_DEAD_LETTER_POLICY, DEFAULT_JOB_POLICY } from './defaults.js';
import { defineQueue } from './define.js';
import { QueueArgumentError } from './errors.js';

const schema = z.object({ id: z.string() });

describe('defineQueue', () => {
  it('resolves each job policy: job, then queue defaults, then package defaults', () => {
    const queue = defineQueue({
      name: 'email',
      defaults: { attempts: 3, backoff: { delayMs: 500 } },
      jobs: {
        plain: { schema },
        special: { schema, attempts: 8, removeOnComplete: { count: 10 }, idempotencyTtlMs: 1000 },
      },
    });
    expect(queue.policies.plain).toEqual({
      ...DEFAULT_JOB_POLICY,
      attempts: 3,
      backoff: { delayMs: 500, jitter: DEFAULT_JOB_POLICY.backoff.jitter },
    });
    expect(queue.policies.special).toMatchObject({
      attempts: 8,
      backoff: { delayMs: 500 },
      removeOnComplete: { ageSeconds: DEFAULT_JOB_POLICY.removeOnComplete.ageSeconds, count: 10 },
      idempotencyTtlMs: 1000,
    });
    expect(queue.deadLetter).toEqual(DEFAULT_DEAD_LETTER_POLICY);
    expect(Object.isFrozen(queue)).toBe(true);
  });

  it('rejects names that break keys or labels, and nonsense policies', () => {
    const jobs = { ok: { schema } };
    for (const name of ['', 'a:b', '{tag}', 'with space', 'x'.repeat(49)])
      expect(() => defineQueue({ name, jobs })).toThrow(QueueArgumentError);
    expect(() => defineQueue({ name: 'q', jobs: {} })).toThrow(/declares no jobs/);
    expect(() => defineQueue({ name: 'q', jobs: { 'bad name': { schema } } })).toThrow(QueueArgumentError);
    expect(() => defineQueue({ name: 'q', jobs: { ok: { schema, attempts: 0 } } })).toThrow(/attempts/);
    expect(() => defineQueue({ name: 'q', jobs: { ok: { schema, backoff: { jitter: 2 } } } })).toThrow(
      /jitter/,
    );
    expect(() => defineQueue({ name: 'q', jobs: { ok: { schema, removeOnFail: { count: -1 } } } })).toThrow(
      /removeOnFail.count/,
    );
    expect(() => defineQueue({ name: 'q', jobs, deadLetter: { maxEntries: 0 } })).toThrow(/maxEntries/);
    expect(() => defineQueue({ name: 'q', jobs: { ok: {} as never } })).toThrow(/zod schema/);
  });

  it('checks secret fields against the schema', () => {
    expect(defineQueue({ name: 'q', jobs: { ok: { schema, secret: ['id'] } } }).jobs.ok.secret).toEqual([
      'id',
    ]);
    const loose = (secret: unknown, jobSchema: z.ZodType = schema) =>
      defineQueue({ name: 'q', jobs: { ok: { schema: jobSchema, secret: secret as string[] } } });
    expect(() => loose(['link'])).toThrow(/secret field "link" is not in the payload schema/);
    expect(() => loose('id')).toThrow(/list of payload field names/);
    expect(() => loose(['id'], z.string())).toThrow(/object schema/);
  });
});
