// Errors in log lines: real database errors (PGlite) carry the statement, its parameters and the
// offending row; none of that may reach a log line, however the error is logged.
import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import type { CreateLoggerOptions } from './types.js';

const EMAIL = 'ada.lovelace@example.com';
const DISPLAY_NAME = 'Ada Lovelace';
const PASSWORD_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g';
const OUT_OF_RANGE_DATE = '0000-01-01T00:00:00.000Z';
const SECRETS = [EMAIL, 'ada.lovelace', DISPLAY_NAME, PASSWORD_HASH, 'c2FsdHNhbHRzYWx0', OUT_OF_RANGE_DATE];

function capture(options: Partial<CreateLoggerOptions> = {}) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ name: 'test', destination: stream, ...options });
  return { logger, text: () => lines.join('\n'), parsed: () => lines.map((line) => JSON.parse(line)) };
}

async function failure(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the statement to fail');
}

describe('createLogger with database errors', () => {
  let db: PGlite;
  const errors: Record<string, Error> = {};

  beforeAll(async () => {
    db = new PGlite();
    await db.exec(
      'create table users (id serial primary key, email text not null unique, display_name text, password_hash text)',
    );
    const insert = 'insert into users (email, display_name, password_hash) values ($1, $2, $3)';
    await db.query(insert, [EMAIL, DISPLAY_NAME, PASSWORD_HASH]);
    errors.nulByte = await failure(db.query(insert, [EMAIL, `${DISPLAY_NAME}\u0000`, PASSWORD_HASH]));
    errors.duplicate = await failure(db.query(insert, [EMAIL, DISPLAY_NAME, PASSWORD_HASH]));
    errors.badUuid = await failure(db.query('select $1::uuid', [EMAIL]));
    errors.badDate = await failure(db.query('select $1::timestamptz', [OUT_OF_RANGE_DATE]));
    // Starting PGlite compiles its WebAssembly: seconds when idle, minutes on a crowded 2-core machine.
  }, 300_000);
  afterAll(() => db?.close());

  it('logs code and message but no statement, parameter, row or value, under err, error or as the argument', () => {
    // The driver's errors do carry the values, or this test would prove nothing.
    expect(JSON.stringify(errors.nulByte)).toContain(PASSWORD_HASH);
    expect((errors.duplicate as Error & { detail?: string }).detail).toContain(EMAIL);
    expect(errors.badUuid!.message).toContain(EMAIL);
    expect(errors.badDate!.message).toContain(OUT_OF_RANGE_DATE);

    const { logger, text, parsed } = capture();
    for (const error of Object.values(errors)) {
      logger.error({ err: error }, 'query failed');
      logger.error({ error }, 'query failed');
      logger.error(error);
      logger.error({ err: error });
    }
    const output = text();
    for (const secret of SECRETS) expect(output).not.toContain(secret);
    for (const field of ['query', 'params', 'queryOptions', 'detail', 'where', 'internalQuery'])
      expect(output).not.toContain(`"${field}"`);

    const [nulByte, , , , duplicate] = parsed();
    expect(nulByte).toMatchObject({
      msg: 'query failed',
      err: { code: '22021', message: expect.stringContaining('invalid byte sequence') },
    });
    expect(nulByte.err.stack).toEqual(expect.stringContaining('invalid byte sequence'));
    expect(duplicate).toMatchObject({
      err: {
        code: '23505',
        constraint: 'users_email_key',
        message: 'duplicate key value violates unique constraint "users_email_key"',
      },
    });
  });

  it('walks the cause chain: a wrapped database error is cleaned the same way', () => {
    const { logger, text, parsed } = capture();
    const wrapped = new Error('signup failed', {
      cause: new Error('insert failed', { cause: errors.duplicate }),
    });
    logger.error({ err: wrapped }, 'request failed');
    logger.error({ err: new AggregateError([errors.nulByte, errors.badUuid], 'batch failed') });
    const output = text();
    for (const secret of SECRETS) expect(output).not.toContain(secret);
    expect(parsed()[0]).toMatchObject({
      err: {
        message: 'signup failed',
        cause: { message: 'insert failed', cause: { code: '23505', constraint: 'users_email_key' } },
      },
    });
    expect(parsed()[1].err.errors).toHaveLength(2);
  });

  it('leaves stacks out when asked (production)', () => {
    const { logger, parsed } = capture({ errorStacks: false });
    logger.error({ err: new Error('outer', { cause: errors.badDate }) }, 'failed');
    const [line] = parsed();
    expect(line.err).toMatchObject({ message: 'outer', cause: { code: '22008' } });
    expect(line.err).not.toHaveProperty('stack');
    expect(line.err.cause).not.toHaveProperty('stack');
  });
});

describe('createLogger with other errors', () => {
  it('keeps plain fields that name what failed, drops arrays, objects and fields named for data', () => {
    const { logger, parsed } = capture();
    const error = Object.assign(new Error('ERR wrong number of arguments'), {
      code: 'ERR_REDIS',
      operation: 'tokens.consume',
      attempts: 3,
      command: { name: 'set', args: ['rnh:t:1', 'session-secret-value'] },
      values: 'session-secret-value',
      sql: 'select session-secret-value',
      rows: [{ secret: 'session-secret-value' }],
    });
    logger.warn({ err: error }, 'redis failed');
    const [line] = parsed();
    expect(JSON.stringify(line)).not.toContain('session-secret-value');
    expect(line.err).toMatchObject({
      type: 'Error',
      message: 'ERR wrong number of arguments',
      code: 'ERR_REDIS',
      operation: 'tokens.consume',
      attempts: 3,
    });
  });

  it('survives a cause cycle', () => {
    const { logger, parsed } = capture();
    const first = new Error('first');
    const second = new Error('second', { cause: first });
    (first as { cause?: unknown }).cause = second;
    logger.error({ err: first }, 'cycle');
    expect(parsed()[0].err).toMatchObject({ message: 'first', cause: { message: 'second' } });
    expect(parsed()[0].err.cause).not.toHaveProperty('cause');
  });
});
