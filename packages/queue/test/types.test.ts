// Compile-time guarantees of the typed registry (checked by `tsc`, run by vitest for the record).
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  defineQueue,
  type JobContext,
  type Payload,
  type PayloadInput,
  type QueueProducer,
  type QueueWorkerOptions,
} from '../src/index.js';
import { mailQueue, type MailQueue } from './jobs.js';

type Jobs = MailQueue['jobs'];

describe('typed job registry', () => {
  it('types payloads by job name: schema input for enqueue, output for handlers', () => {
    expectTypeOf<PayloadInput<Jobs, 'welcome'>>().toEqualTypeOf<{
      to: string;
      userId: string;
      locale?: 'en' | 'de' | undefined;
    }>();
    expectTypeOf<Payload<Jobs, 'welcome'>>().toEqualTypeOf<{
      to: string;
      userId: string;
      locale: 'en' | 'de';
    }>();
    expectTypeOf<QueueProducer<Jobs>['enqueue']>()
      .parameter(0)
      .toEqualTypeOf<'welcome' | 'digest' | 'flaky'>();
  });

  it('rejects unknown jobs, wrong payloads and missing handlers at compile time', () => {
    // Never called: only compiled.
    const _compileOnly = (producer: QueueProducer<Jobs>) => {
      // @ts-expect-error unknown job name
      void producer.enqueue('nope', {});
      // @ts-expect-error payload of another job
      void producer.enqueue('digest', { to: 'a@example.com', userId: 'u' });
      const _missing: QueueWorkerOptions<Jobs> = {
        // @ts-expect-error a handler (flaky) is missing
        handlers: { welcome: () => undefined, digest: () => undefined },
      };
      const _typed: QueueWorkerOptions<Jobs> = {
        handlers: {
          welcome: (payload, context) => {
            expectTypeOf(payload.locale).toEqualTypeOf<'en' | 'de'>();
            expectTypeOf(context).toEqualTypeOf<JobContext>();
          },
          digest: ({ day }) => void day.toUpperCase(),
          flaky: ({ failTimes }) => void failTimes.toFixed(),
        },
        // @ts-expect-error schedule payload must match its job
        schedules: { bad: { job: 'digest', payload: { failTimes: 1 }, everyMs: 1000 } },
      };
    };
    void _compileOnly;
    void mailQueue;
  });

  it('types secret fields by the payload schema', () => {
    const _compileOnly = () => {
      defineQueue({
        name: 'accounts',
        jobs: { reset: { schema: z.object({ to: z.string(), link: z.string() }), secret: ['link'] } },
      });
      defineQueue({
        name: 'accounts',
        // @ts-expect-error not a field of the payload
        jobs: { reset: { schema: z.object({ link: z.string() }), secret: ['lnik'] } },
      });
    };
    void _compileOnly;
  });
});
