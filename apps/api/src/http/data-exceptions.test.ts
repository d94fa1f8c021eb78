// Defence in depth behind the request schemas: a value PostgreSQL refuses (SQLSTATE class 22)
// is the client's mistake, answered 400 without the driver's message, which quotes the value.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeKnownError } from './known-errors.js';

describe('database data exceptions over HTTP', () => {
  let db: PGlite;
  beforeAll(() => {
    db = new PGlite();
  });
  afterAll(() => db?.close());

  const failure = (work: Promise<unknown>) =>
    work.then(
      () => expect.fail('expected a failure'),
      (error: unknown) => error,
    );

  it('answers 400 invalid_request for a NUL byte, a bad cast and an unreadable date, quoting none of them', async () => {
    const refused = [
      await failure(db.query('select $1::text', ['Ada\u0000Lovelace'])),
      await failure(db.query('select $1::uuid', ['ada@example.com'])),
      await failure(db.query('select $1::timestamptz', ['0000-01-01T00:00:00.000Z'])),
    ];
    for (const error of refused) {
      const described = describeKnownError(error);
      expect(described).toEqual({
        status: 400,
        code: 'invalid_request',
        message: 'The request holds a value that cannot be stored.',
      });
    }
  });

  it('leaves other database errors to the 500 path', async () => {
    const error = await failure(db.query('select * from no_such_table'));
    expect(describeKnownError(error)).toBeUndefined();
  });
});
