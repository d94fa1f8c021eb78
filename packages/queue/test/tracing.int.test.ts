// Trace propagation with the app's real telemetry bootstrap (NodeSDK: W3C propagators,
// AsyncLocalStorage context) and an in-memory exporter.
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, type TelemetryHandle } from '@rnh/telemetry';
import { waitFor } from '@rnh/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SPAN_ATTRIBUTES, TRACER_NAME } from '../src/index.js';
import { useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis();
const exporter = new InMemorySpanExporter();
let telemetry: TelemetryHandle;

beforeAll(() => {
  telemetry = startTelemetry({
    serviceName: 'queue-test',
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
});
afterAll(() => telemetry.shutdown());
beforeEach(() => exporter.reset());

const noop = async () => undefined;
const SECRET = 'reset-token-7f3c9a1e5b';

const queueSpans = (name: string) =>
  exporter
    .getFinishedSpans()
    .filter((span) => span.instrumentationScope.name === TRACER_NAME && span.name === name);

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('trace propagation', () => {
  it("continues the enqueueing trace in the worker's processing span", async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const baggageSeen: Array<string | undefined> = [];
    await setup.worker(definition, {
      handlers: {
        welcome: () => {
          baggageSeen.push(propagation.getActiveBaggage()?.getEntry('tenant')?.value);
        },
        digest: noop,
        flaky: noop,
      },
    });
    const producer = setup.producer(definition);
    const request = trace.getTracer('test');
    // The SDK's W3C propagators are in place (baggage travels too, which our traceparent fallback would not carry).
    expect(propagation.fields()).toEqual(expect.arrayContaining(['traceparent', 'baggage']));
    const withBaggage = propagation.setBaggage(
      context.active(),
      propagation.createBaggage({ tenant: { value: 't-1' } }),
    );

    const requestSpan = await context.with(withBaggage, () =>
      request.startActiveSpan('POST /signup', async (span) => {
        await producer.enqueue('welcome', { to: 'ada@example.com', userId: SECRET });
        span.end();
        return span;
      }),
    );

    await waitFor(() => queueSpans('process mail').length === 1, { what: 'the processing span' });
    const [send] = queueSpans('send mail');
    const [process] = queueSpans('process mail');
    const traceId = requestSpan.spanContext().traceId;
    expect(send!.spanContext().traceId).toBe(traceId);
    expect(send!.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(send!)).toBe(requestSpan.spanContext().spanId);
    expect(process!.spanContext().traceId).toBe(traceId);
    expect(process!.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(process!)).toBe(send!.spanContext().spanId);
    expect(process!.attributes).toMatchObject({
      [SPAN_ATTRIBUTES.destination]: 'mail',
      [SPAN_ATTRIBUTES.jobName]: 'welcome',
      [SPAN_ATTRIBUTES.attempt]: 1,
      [SPAN_ATTRIBUTES.messageId]: send!.attributes[SPAN_ATTRIBUTES.messageId],
    });
    expect(baggageSeen).toEqual(['t-1']);
  });

  it('gives a bulk enqueue one send span, and each of its jobs continues that trace', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    await setup.worker(definition, { handlers: { welcome: noop, digest: noop, flaky: noop } });
    const producer = setup.producer(definition);

    const requestSpan = await trace.getTracer('test').startActiveSpan('POST /digests', async (span) => {
      await producer.enqueueBulk([
        { job: 'digest', payload: { day: 'mon' } },
        { job: 'digest', payload: { day: 'tue' } },
      ]);
      span.end();
      return span;
    });

    await waitFor(() => queueSpans('process mail').length === 2, { what: 'both processing spans' });
    const sends = queueSpans('send mail');
    expect(sends).toHaveLength(1);
    const [send] = sends;
    expect(parentOf(send!)).toBe(requestSpan.spanContext().spanId);
    expect(send!.attributes).toMatchObject({
      [SPAN_ATTRIBUTES.batchCount]: 2,
      [SPAN_ATTRIBUTES.jobName]: 'digest',
    });
    for (const process of queueSpans('process mail')) {
      expect(process.spanContext().traceId).toBe(requestSpan.spanContext().traceId);
      expect(parentOf(process)).toBe(send!.spanContext().spanId);
    }
  });

  it('starts a new trace for each scheduled job, linked to the schedule sync', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    await setup.worker(definition, {
      handlers: { welcome: noop, digest: noop, flaky: noop },
      schedules: { 'daily-digest': { job: 'digest', payload: { day: 'today' }, everyMs: 150 } },
    });

    await waitFor(() => queueSpans('process mail').length >= 2, { what: 'two scheduled runs' });
    const [sync] = queueSpans('sync-schedules mail');
    const runs = queueSpans('process mail').slice(0, 2);
    for (const run of runs) {
      expect(run.parentSpanContext).toBeUndefined();
      expect(run.spanContext().traceId).not.toBe(sync!.spanContext().traceId);
      expect(run.links.map((link) => link.context.traceId)).toEqual([sync!.spanContext().traceId]);
      expect(run.attributes[SPAN_ATTRIBUTES.scheduleId]).toBe('daily-digest');
    }
    expect(runs[0]!.spanContext().traceId).not.toBe(runs[1]!.spanContext().traceId);
  });

  it('gives each attempt its own span in the same trace', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    let calls = 0;
    await setup.worker(definition, {
      handlers: {
        welcome: noop,
        digest: noop,
        flaky: async ({ failTimes }) => {
          calls += 1;
          if (calls <= failTimes) throw new Error(`attempt ${calls} failed`);
        },
      },
    });
    const producer = setup.producer(definition);

    await trace.getTracer('test').startActiveSpan('cron tick', async (span) => {
      await producer.enqueue('flaky', { failTimes: 2 });
      span.end();
    });

    await waitFor(() => queueSpans('process mail').length === 3, { what: 'three attempts' });
    const [send] = queueSpans('send mail');
    const attempts = queueSpans('process mail').sort(
      (a, b) => Number(a.attributes[SPAN_ATTRIBUTES.attempt]) - Number(b.attributes[SPAN_ATTRIBUTES.attempt]),
    );
    expect(attempts.map((span) => span.attributes[SPAN_ATTRIBUTES.attempt])).toEqual([1, 2, 3]);
    expect(new Set(attempts.map((span) => span.spanContext().spanId)).size).toBe(3);
    for (const span of attempts) {
      expect(span.spanContext().traceId).toBe(send!.spanContext().traceId);
      expect(parentOf(span)).toBe(send!.spanContext().spanId);
    }
    expect(attempts.map((span) => span.status.code)).toEqual([
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
      SpanStatusCode.UNSET,
    ]);
    expect(attempts[0]!.events.map((event) => event.name)).toContain('exception');
  });

  it('marks a rejected enqueue as an error and records no payload value anywhere', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    await setup.worker(definition, { handlers: { welcome: noop, digest: noop, flaky: noop } });
    const producer = setup.producer(definition);

    await expect(producer.enqueue('welcome', { to: SECRET, userId: SECRET })).rejects.toThrow(
      /email address/,
    );
    await producer.enqueue('welcome', { to: 'ada@example.com', userId: SECRET }, { idempotencyKey: SECRET });
    await waitFor(() => queueSpans('process mail').length === 1, { what: 'the processing span' });

    const [rejected] = queueSpans('send mail').filter((span) => span.status.code === SpanStatusCode.ERROR);
    expect(rejected!.status.message).toBe('QueueValidationError');
    expect(
      JSON.stringify(exporter.getFinishedSpans().map((span) => [span.attributes, span.events, span.status])),
    ).not.toContain(SECRET);
  });
});
