// With the SDK registered but a trace not sampled (here: a ratio of 0), its spans record
// nothing, yet the decision travels with the job, as it does over HTTP: the worker does not
// start a sampled trace of its own for it.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { waitFor } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACER_NAME } from '../src/index.js';
import { useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis();
const exporter = new InMemorySpanExporter();
// What NodeSDK registers with OTEL_TRACES_SAMPLER=parentbased_traceidratio and a ratio of 0.
const provider = new BasicTracerProvider({
  sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) }),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

const noop = async () => undefined;

describe('a trace that is not sampled', () => {
  it('carries its not-sampled context into the job, and the worker records no span for it', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    let processed = 0;
    await setup.worker(definition, {
      handlers: {
        digest: () => {
          processed += 1;
        },
        welcome: noop,
        flaky: noop,
      },
    });
    const producer = setup.producer(definition);

    const { id } = await trace.getTracer('test').startActiveSpan('cron tick', async (span) => {
      expect(span.isRecording()).toBe(false);
      const result = await producer.enqueue('digest', { day: 'mon' });
      span.end();
      return result;
    });

    const job = await setup.inspect(definition).getJob(id);
    const carried = JSON.parse(job!.opts.telemetry!.metadata!) as { traceparent: string };
    // The tick's trace, flags 00: not sampled.
    expect(carried.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    await waitFor(() => processed === 1, { what: 'the job to be processed' });
    expect(
      exporter.getFinishedSpans().filter((span) => span.instrumentationScope.name === TRACER_NAME),
    ).toEqual([]);
  });
});
