// Tracing as an app has it on, minus the network: every span is created, sampled, batched and "exported" to nowhere.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

type ExportCallback = Parameters<SpanExporter['export']>[1];

/** Counts what it is given and drops it, so tracing costs what it costs in-process, without a collector. */
class DiscardingExporter implements SpanExporter {
  exported = 0;
  readonly names = new Map<string, number>();

  export(spans: ReadableSpan[], done: ExportCallback): void {
    this.exported += spans.length;
    for (const span of spans) this.names.set(span.name, (this.names.get(span.name) ?? 0) + 1);
    done({ code: 0 }); // ExportResultCode.SUCCESS
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}
}

/** Counts ended spans by name (cheap), so the report can show how many were created, exported or not. */
class CountingProcessor implements SpanProcessor {
  readonly ended = new Map<string, number>();

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    this.ended.set(span.name, (this.ended.get(span.name) ?? 0) + 1);
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}

export interface BenchTracing {
  /** One line saying what is on, for the report. */
  readonly description: string;
  /** Spans ended so far, by span name. */
  endedByName(): ReadonlyMap<string, number>;
  /** Spans exported so far, by span name (after `flush`); fewer than ended when the batch queue was full. */
  exportedByName(): ReadonlyMap<string, number>;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Registers, globally, a BasicTracerProvider with the AlwaysOn sampler and a
 * BatchSpanProcessor (its defaults: queue 2048, batch 512, 5 s delay) in front of
 * an exporter that discards, plus what NodeSDK registers by default: the
 * AsyncLocalStorage context manager and the W3C trace-context and baggage
 * propagators. The same in-process work as an app exporting over OTLP.
 */
export function startTracing(): BenchTracing {
  const exporter = new DiscardingExporter();
  const counter = new CountingProcessor();
  const provider = new BasicTracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [counter, new BatchSpanProcessor(exporter)],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  return {
    description:
      'tracing ON (BasicTracerProvider, AlwaysOnSampler, BatchSpanProcessor -> discarding exporter, ' +
      'AsyncLocalStorageContextManager, W3C trace-context + baggage propagators, registered globally)',
    endedByName: () => counter.ended,
    exportedByName: () => exporter.names,
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
