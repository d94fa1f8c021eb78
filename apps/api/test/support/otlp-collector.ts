// A tiny OTLP/HTTP (JSON) trace receiver: what the apps export, for tests to look at.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  /** Start and end, in milliseconds since the epoch (microsecond precision). */
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
}

export interface OtlpCollector {
  endpoint: string;
  spans: ReceivedSpan[];
  close(): Promise<void>;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      try {
        collect(JSON.parse(body) as Record<string, unknown>, spans);
      } catch {
        // Not JSON (e.g. protobuf): ignored; the apps send JSON.
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function collect(payload: Record<string, unknown>, into: ReceivedSpan[]): void {
  for (const resourceSpans of (payload.resourceSpans as Record<string, unknown>[] | undefined) ?? []) {
    const resource = resourceSpans.resource as { attributes?: OtlpAttribute[] } | undefined;
    const service = String(attributes(resource?.attributes)['service.name'] ?? '');
    for (const scopeSpans of (resourceSpans.scopeSpans as Record<string, unknown>[] | undefined) ?? []) {
      for (const span of (scopeSpans.spans as Record<string, unknown>[] | undefined) ?? []) {
        into.push({
          service,
          traceId: String(span.traceId),
          spanId: String(span.spanId),
          parentSpanId: span.parentSpanId ? String(span.parentSpanId) : undefined,
          name: String(span.name),
          kind: Number(span.kind),
          startMs: unixNanoToMs(span.startTimeUnixNano),
          endMs: unixNanoToMs(span.endTimeUnixNano),
          attributes: attributes(span.attributes as OtlpAttribute[] | undefined),
        });
      }
    }
  }
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
}

/** OTLP JSON carries times as strings of nanoseconds, beyond a double's exact range. */
function unixNanoToMs(value: unknown): number {
  return Number(BigInt(String(value ?? 0)) / 1000n) / 1000;
}
