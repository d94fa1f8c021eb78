// Worker processes have no HTTP request to hang Redis spans on; they must still be
// traced (requireParentSpan: false), each command its own root span, values redacted.
// Runs a worker-like script with an in-memory exporter started through startTelemetry().
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRedisServer, uniquePrefix, type RedisServerHandle } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageDir } from './global-setup.js';

const SECRET_TOKEN = 'f3a9c0de77b14e2a9d0c5b6a7e8f9012';
const SECRET_VALUE = 'very-secret-job-payload';

interface FinishedSpan {
  name: string;
  traceId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

describe('Redis spans without an HTTP parent', () => {
  let redis: RedisServerHandle;
  let spans: FinishedSpan[];
  let stdout: string;
  const prefix = uniquePrefix('worker');

  beforeAll(async () => {
    redis = await startRedisServer();
    const fixtures = join(packageDir, 'test/fixtures');
    const result = await promisify(execFile)(
      process.execPath,
      ['--import', join(fixtures, 'in-memory-preload.mjs'), join(fixtures, 'worker-job.mjs')],
      {
        cwd: packageDir,
        env: { REDIS_PORT: String(redis.port), KEY_PREFIX: prefix, SECRET_TOKEN, SECRET_VALUE },
      },
    );
    stdout = result.stdout;
    spans = JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as FinishedSpan[];
  });

  afterAll(() => redis?.destroy());

  it('records every command as a root span with the redacted key (ioredis keyPrefix included)', () => {
    const statements = spans.map((span) => span.attributes['db.query.text']);
    expect(statements).toEqual(
      expect.arrayContaining([
        'set test:worker:?:jobs:token:?',
        'get test:worker:?:jobs:token:?',
        'hset test:worker:?:jobs:email:?',
        'expire test:worker:?:jobs:email:?',
      ]),
    );
    const commands = spans.filter((span) => ['set', 'get'].includes(span.name));
    expect(commands).toHaveLength(2);
    for (const span of commands) expect(span.parentSpanId).toBeUndefined();
    expect(new Set(commands.map((span) => span.traceId)).size).toBe(2);
  });

  it('names pipelined commands as such', () => {
    expect(spans.map((span) => span.attributes['db.operation.name'])).toEqual(
      expect.arrayContaining(['PIPELINE hset', 'PIPELINE expire']),
    );
  });

  it('exports neither the token nor the value', () => {
    expect(stdout).not.toContain(SECRET_TOKEN);
    expect(stdout).not.toContain(SECRET_VALUE);
  });
});
