import {
  isSpanContextValid,
  SpanKind,
  trace,
  type Context,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import type { CounterSeries } from '@rnh/redis-client';
import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { QueueMetrics } from '../metrics.js';
import { MESSAGING_SYSTEM, SPAN_ATTRIBUTES as A } from '../tracing.js';
import type { QueueDefinition, ResolvedJobPolicy } from '../types.js';
import { templateOptions } from './job-options.js';
import { injectJobContext } from './trace-context.js';

/** What every enqueue of one job type shares, built once per producer. */
export interface SendType {
  readonly name: string;
  /** `job "<name>" was`, for errors. */
  readonly description: string;
  readonly schema: z.ZodType;
  readonly policy: ResolvedJobPolicy;
  readonly hasSecrets: boolean;
  /** Its BullMQ options when nothing is set per job: one object for all such jobs (BullMQ copies it). */
  readonly options: JobsOptions;
  /** The `send` span's kind and attributes (the SDK copies them). */
  readonly spanOptions: SpanOptions;
  /** `queue_jobs_enqueued_total` for this job type; undefined without a registry. */
  readonly enqueued: CounterSeries | undefined;
}

export function sendTypes(
  definition: QueueDefinition,
  metrics: QueueMetrics | undefined,
): Map<string, SendType> {
  const types = new Map<string, SendType>();
  for (const [name, job] of Object.entries(definition.jobs)) {
    const policy = definition.policies[name]!;
    types.set(name, {
      name,
      description: `job "${name}" was`,
      schema: job.schema,
      policy,
      hasSecrets: (job.secret?.length ?? 0) > 0,
      options: templateOptions(policy, undefined),
      spanOptions: {
        kind: SpanKind.PRODUCER,
        attributes: {
          [A.system]: MESSAGING_SYSTEM,
          [A.destination]: definition.name,
          [A.operationType]: 'send',
          [A.operationName]: 'send',
          [A.jobName]: name,
        },
      },
      enqueued: metrics?.jobSeries(definition.name, name).enqueued,
    });
  }
  return types;
}

/**
 * The trace context a job carries (its `send` span's), or nothing when there is no
 * trace to continue: without an OpenTelemetry SDK the span neither records nor has a
 * valid context, and injecting would only cost time. A span the SDK chose not to
 * sample still has a valid context, and travels: the worker then does not sample either.
 */
export function sendContextOf(span: Span, parent: Context): string | undefined {
  if (!span.isRecording() && !isSpanContextValid(span.spanContext())) return undefined;
  return injectJobContext(trace.setSpan(parent, span));
}
