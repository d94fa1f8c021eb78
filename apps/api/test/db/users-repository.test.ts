// The same repository behaviour on both drivers: embedded PGlite and a real PostgreSQL.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { EmailTakenError, UsersRepository } from '../../src/users/users-repository.js';
import { drivers, useDriverDatabase } from './support/drivers.js';

describe.each(drivers)('UsersRepository on %s', (_kind, makeDriver) => {
  const opened = useDriverDatabase(makeDriver);
  let users: UsersRepository;
  // One database per driver; every test makes its own addresses.
  const email = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.com`;

  beforeAll(() => {
    users = new UsersRepository(opened.database.db);
  });

  it('creates a user, storing the email lowercased', async () => {
    const address = email('Ada.Lovelace');
    const user = await users.create({
      email: `  ${address.toUpperCase()} `,
      displayName: 'Ada',
      passwordHash: 'hash-1',
    });
    expect(user).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      email: address.toLowerCase(),
      displayName: 'Ada',
      emailVerifiedAt: null,
      createdAt: expect.any(Date),
    });
    expect(Math.abs(user.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('refuses a second account with the same email in any case, with a coded error', async () => {
    const address = email('grace');
    await users.create({ email: address, displayName: 'Grace', passwordHash: 'hash' });
    const again = users.create({ email: address.toUpperCase(), displayName: 'Other', passwordHash: 'hash' });
    await expect(again).rejects.toBeInstanceOf(EmailTakenError);
    await expect(again).rejects.toMatchObject({
      code: 'EMAIL_TAKEN',
      cause: expect.objectContaining({ code: '23505' }),
    });
  });

  it('finds by email whatever its case, and by id', async () => {
    const address = email('alan');
    const created = await users.create({ email: address, displayName: 'Alan', passwordHash: 'hash' });
    expect(await users.findByEmail(address.toUpperCase())).toEqual(created);
    expect(await users.findById(created.id)).toEqual(created);
    expect(await users.findByEmail(email('nobody'))).toBeUndefined();
    expect(await users.findById(randomUUID())).toBeUndefined();
    expect(await users.findById('not-a-uuid')).toBeUndefined();
  });

  it('gives the password hash only through findCredentialsByEmail', async () => {
    const address = email('barbara');
    const created = await users.create({
      email: address,
      displayName: 'Barbara',
      passwordHash: 'scrypt$hash',
    });
    expect(created).not.toHaveProperty('passwordHash');
    expect(await users.findById(created.id)).not.toHaveProperty('passwordHash');
    expect(await users.findCredentialsByEmail(address.toUpperCase())).toEqual({
      id: created.id,
      email: address,
      passwordHash: 'scrypt$hash',
    });
    expect(await users.findCredentialsByEmail(email('nobody'))).toBeUndefined();
  });

  it('updates the password', async () => {
    const address = email('edsger');
    const created = await users.create({ email: address, displayName: 'Edsger', passwordHash: 'old' });
    expect(await users.updatePassword(created.id, 'new')).toBe(true);
    expect((await users.findCredentialsByEmail(address))?.passwordHash).toBe('new');
    expect(await users.updatePassword(randomUUID(), 'new')).toBe(false);
    expect(await users.updatePassword('not-a-uuid', 'new')).toBe(false);
    const { updated_at, created_at } = await opened.database.db
      .selectFrom('users')
      .select(['updated_at', 'created_at'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(updated_at.getTime()).toBeGreaterThanOrEqual(created_at.getTime());
  });

  it('marks the email verified once, keeping the first time', async () => {
    const created = await users.create({
      email: email('margaret'),
      displayName: 'Margaret',
      passwordHash: 'hash',
    });
    expect(await users.markEmailVerified(created.id)).toBe(true);
    const verified = await users.findById(created.id);
    expect(verified?.emailVerifiedAt).toBeInstanceOf(Date);

    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await users.markEmailVerified(created.id)).toBe(true);
    expect((await users.findById(created.id))?.emailVerifiedAt).toEqual(verified?.emailVerifiedAt);
    expect(await users.markEmailVerified(randomUUID())).toBe(false);
  });

  it('lets exactly one of several concurrent signups for one email win', async () => {
    const address = email('race');
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        users.create({ email: address, displayName: `Racer ${i}`, passwordHash: 'hash' }),
      ),
    );
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
    const rejected = attempts.filter(
      (attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected',
    );
    expect(rejected.every((attempt) => attempt.reason instanceof EmailTakenError)).toBe(true);
  });
});
