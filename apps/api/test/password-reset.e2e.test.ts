// Password-reset requests as an attacker sees them: concurrent requests leave exactly one link
// that works, and a request for an unknown email does the same work as one for an account.
import { randomBytes } from 'node:crypto';
import { waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient } from './support/http-client.js';
import { mailTo, waitForTokenFor } from './support/mailbox.js';
import type { ReceivedSpan } from './support/otlp-collector.js';

const PASSWORD = 'quartz-lantern-meadow-71';
const RESET_MAIL = /reset your password/i;
const SERVER = 2;
const CONSUMER = 5;

describe('password-reset requests', () => {
  const stack = useApiStack('password-reset', { worker: true, tracing: true });

  const signup = async (email: string) => {
    await signUp(new HttpClient(stack.api.url), { email, password: PASSWORD, displayName: 'Resetter' });
    await waitForTokenFor(stack.mailDir(), email, /confirm your email/i, 30_000);
  };

  it('concurrent requests leave exactly one link that works', async () => {
    await signup('many@example.com');
    const requests = 6;
    const answers = await Promise.all(
      Array.from({ length: requests }, () =>
        new HttpClient(stack.api.url).post('/auth/password-reset/request', { email: 'many@example.com' }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(requests).fill(202));
    await waitFor(() => mailTo(stack.mailDir(), 'many@example.com', RESET_MAIL).length === requests, {
      timeoutMs: 30_000,
      what: `${requests} reset mails`,
    });
    const tokens = mailTo(stack.mailDir(), 'many@example.com', RESET_MAIL).map((text) =>
      decodeURIComponent(/[?&]token=([A-Za-z0-9_.~%-]+)/.exec(text)![1]!),
    );
    expect(new Set(tokens).size).toBe(requests);

    const statuses: number[] = [];
    for (const [index, token] of tokens.entries())
      statuses.push(
        (
          await new HttpClient(stack.api.url).post('/auth/password-reset/confirm', {
            token,
            newPassword: `${PASSWORD}-${index}`,
          })
        ).status,
      );
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(requests - 1);
  }, 60_000);

  // No stopwatch: timing on a shared machine proves nothing either way. What decides the timing
  // is the work done before the answer, so the test compares that work itself: the spans of the
  // two requests' traces (HTTP, rate limit, every Redis command, every enqueue), leaving out the
  // queued job's processing, which runs after the answer. Equal work, equal time to answer.
  it('does the same work before answering whether or not the email has an account', async () => {
    await signup('known@example.com');
    // Each request starts a trace of our choosing (W3C traceparent), to find its spans afterwards.
    const request = async (email: string) => {
      const traceId = randomBytes(16).toString('hex');
      const res = await new HttpClient(stack.api.url).post(
        '/auth/password-reset/request',
        { email },
        { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      );
      expect(res.status).toBe(202);
      // Let the request's job finish before the next request: commands of one event-loop turn share
      // one Redis call (the limiter's batch), whose span joins whichever trace sent it first, so a
      // job running meanwhile could carry the next request's limit check into its own trace.
      await waitFor(
        () => stack.collector.spans.some((span) => span.traceId === traceId && span.kind === CONSUMER),
        { timeoutMs: 30_000, what: `the job of the request for ${email}` },
      );
      return { traceId, body: res.body };
    };
    await request('warm-up@example.com'); // first-use work (script loading) is not what is compared

    const known = await request('known@example.com');
    const unknown = await request('nobody-here@example.com');
    expect(unknown.body).toEqual(known.body);

    const answered = (traceId: string) =>
      stack.collector.spans.some(
        (span) => span.traceId === traceId && span.kind === SERVER && span.parentSpanId !== undefined,
      );
    await waitFor(() => answered(known.traceId) && answered(unknown.traceId), {
      timeoutMs: 30_000,
      what: 'the spans of both requests',
    });
    const knownWork = workBeforeAnswer(stack.collector.spans, known.traceId);
    expect(knownWork.length).toBeGreaterThan(3);
    expect(workBeforeAnswer(stack.collector.spans, unknown.traceId)).toEqual(knownWork);
    // The known address did get its link (the work happened, after the answer).
    await waitForTokenFor(stack.mailDir(), 'known@example.com', RESET_MAIL, 30_000);
  }, 60_000);
});

/**
 * The request's spans (name, kind, job name), sorted: every span of the trace that started before
 * the api answered, but queued-job processing (the queue's own commands for a job run later).
 */
function workBeforeAnswer(spans: ReceivedSpan[], traceId: string): string[] {
  const trace = spans.filter((span) => span.traceId === traceId);
  const byId = new Map(trace.map((span) => [span.spanId, span]));
  const answeredAt = trace.find((span) => span.kind === SERVER)?.endMs ?? 0;
  const inJobProcessing = (span: ReceivedSpan | undefined): boolean =>
    span !== undefined && (span.kind === CONSUMER || inJobProcessing(byId.get(span.parentSpanId ?? '')));
  return trace
    .filter((span) => span.startMs <= answeredAt && !inJobProcessing(span))
    .map(
      (span) => `${span.name} [${span.kind}] ${String(span.attributes['messaging.bullmq.job.name'] ?? '')}`,
    )
    .sort();
}
