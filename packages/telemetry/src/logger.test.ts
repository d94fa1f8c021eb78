import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestTracing } from '../test/helpers/tracing.js';
import { createLogger } from './logger.js';

/** Collects pino's lines in memory. */
function memoryDestination() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { stream, lines };
}

describe('createLogger', () => {
  const tracing = startTestTracing();
  afterAll(() => tracing.stop());

  it('stamps trace_id and span_id of the active span', () => {
    const { stream, lines } = memoryDestination();
    const logger = createLogger({ name: 'test', destination: stream });
    let ids: { traceId: string; spanId: string } | undefined;
    tracing.tracer.startActiveSpan('work', (span) => {
      ids = span.spanContext();
      logger.info('inside');
      span.end();
    });
    logger.info('outside');

    expect(lines[0]).toMatchObject({
      name: 'test',
      msg: 'inside',
      trace_id: ids?.traceId,
      span_id: ids?.spanId,
      trace_flags: '01',
    });
    expect(lines[1]).toMatchObject({ msg: 'outside' });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it('keeps the trace ids across awaits inside the span', async () => {
    const { stream, lines } = memoryDestination();
    const logger = createLogger({ name: 'test', destination: stream });
    const traceId = await tracing.tracer.startActiveSpan('async-work', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.info('after await');
      span.end();
      return span.spanContext().traceId;
    });
    expect(lines[0]?.trace_id).toBe(traceId);
  });

  it('redacts passwords, tokens, cookies and authorization headers', () => {
    const { stream, lines } = memoryDestination();
    const logger = createLogger({ name: 'test', destination: stream });
    logger.info(
      {
        password: 'hunter2',
        token: 'tok_top',
        user: { id: 42, password: 'hunter3', token: 'tok_nested' },
        req: {
          headers: {
            authorization: 'Bearer abc.def',
            cookie: 'sid=s3cr3t',
            'set-cookie': 'sid=s3cr3t2',
            accept: '*/*',
          },
        },
        refreshToken: 'rt_secret',
      },
      'login',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of [
      'hunter2',
      'hunter3',
      'tok_top',
      'tok_nested',
      'Bearer abc.def',
      's3cr3t',
      'rt_secret',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ password: '[Redacted]', user: { id: 42, password: '[Redacted]' } });
    expect(lines[0]).toMatchObject({ req: { headers: { accept: '*/*', authorization: '[Redacted]' } } });
  });

  it('honours the level', () => {
    const { stream, lines } = memoryDestination();
    const logger = createLogger({ name: 'test', level: 'warn', destination: stream });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });
});
