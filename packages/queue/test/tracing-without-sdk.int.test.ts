// An app that registers no OpenTelemetry SDK (no tracer provider, no propagator, no context
// manager): jobs carry no trace context, and everything else works as usual.
import { trace } from '@opentelemetry/api';
import { waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import type { JobContext } from '../src/index.js';
import { useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis();

const noop = async () => undefined;

describe('without an OpenTelemetry SDK', () => {
  it('writes no trace context into jobs, and the worker processes them as usual', async () => {
    // Nothing registered: the API's no-op tracer, whose spans record nothing.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    const setup = redis.setup();
    const definition = mailQueue();
    const seen: JobContext[] = [];
    await setup.worker(definition, {
      handlers: {
        welcome: (_payload, jobContext) => {
          seen.push(jobContext);
        },
        digest: noop,
        flaky: noop,
      },
    });
    const producer = setup.producer(definition);

    const single = await producer.enqueue('welcome', { to: 'ada@example.com', userId: 'u1' });
    const [bulk] = await producer.enqueueBulk([
      { job: 'welcome', payload: { to: 'bob@example.com', userId: 'u2' } },
    ]);

    const bull = setup.inspect(definition);
    for (const id of [single.id, bulk!.id]) {
      const job = await bull.getJob(id);
      expect(job?.opts.telemetry).toBeUndefined();
    }
    await waitFor(() => seen.length === 2, { what: 'both jobs to be processed' });
    expect(seen.map((jobContext) => jobContext.id).sort()).toEqual([single.id, bulk!.id].sort());
  });
});
