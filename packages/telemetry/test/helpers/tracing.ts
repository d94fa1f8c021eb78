// In-process tracing for unit tests: a real tracer provider and AsyncLocalStorage
// context, so code under test sees an active span exactly as it would in an app.
import { context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

export interface TestTracing {
  tracer: Tracer;
  stop(): Promise<void>;
}

export function startTestTracing(): TestTracing {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const provider = new BasicTracerProvider();
  trace.setGlobalTracerProvider(provider);
  return {
    tracer: trace.getTracer('rnh-telemetry-test'),
    async stop() {
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}
