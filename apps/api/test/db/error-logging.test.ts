// A failed statement logged the way the api's error handler logs it: on both drivers (PGlite and
// node-postgres on a real PostgreSQL) the line names the failure but holds none of the values
// the statement carried (emails, names, password hashes, the rejected input).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsersRepository } from '../../src/users/users-repository.js';
import { drivers, useDriverDatabase } from './support/drivers.js';
import { captureLogger } from './support/logger.js';

async function failure(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the statement to fail');
}

describe.each(drivers)('database errors in logs on %s', (kind, makeDriver) => {
  const opened = useDriverDatabase(makeDriver);
  let users: UsersRepository;

  beforeAll(() => {
    users = new UsersRepository(opened.database.db);
  });

  it('logs the code and message of a failed insert, a taken email and a bad cast, never their values', async () => {
    const email = `grace.hopper.${randomUUID().slice(0, 8)}@example.com`;
    const displayName = 'Grace Brewster Hopper';
    const passwordHash = `scrypt$1024$8$1$${randomUUID()}$${randomUUID()}`;
    await users.create({ email, displayName, passwordHash });

    const nulByte = await failure(
      users.create({ email: `other.${email}`, displayName: `${displayName}\u0000`, passwordHash }),
    );
    const taken = await failure(users.create({ email, displayName, passwordHash }));
    // PostgreSQL quotes the rejected input in the message: `invalid input syntax for type uuid: "…"`.
    const badCast = await failure(sql`select ${email}::uuid`.execute(opened.database.db));
    // The values really are on the errors (or their causes), or the test would prove nothing.
    // PGlite also hangs the statement and its parameters on the error.
    if (kind === 'pglite') expect(JSON.stringify(nulByte)).toContain(passwordHash.split('$')[4]);
    expect(JSON.stringify((taken as { cause?: unknown }).cause)).toContain(email);
    expect((badCast as Error).message).toContain(email);

    const { logger, lines } = captureLogger();
    for (const err of [nulByte, taken, badCast]) {
      logger.error({ err, method: 'POST', route: '/auth/signup' }, 'request failed');
      logger.error(err as Error);
    }
    const output = lines.join('\n');
    for (const value of [email, displayName, passwordHash, ...passwordHash.split('$').slice(4)])
      expect(output).not.toContain(value);

    const logged = lines.map((line) => JSON.parse(line) as { err: Record<string, unknown> });
    expect(logged[0]!.err).toMatchObject({ code: '22021' });
    expect(logged[2]!.err).toMatchObject({
      type: 'EmailTakenError',
      cause: { code: '23505', constraint: 'users_email_unique' },
    });
    expect(logged[4]!.err).toMatchObject({ code: '22P02', message: expect.stringContaining('type uuid') });
  });
});
