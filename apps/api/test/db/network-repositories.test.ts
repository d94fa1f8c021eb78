// Organizations, memberships, referrals and invites on both drivers: keyset pages that neither skip
// nor repeat, the last-owner rule, single-winner status changes and single-use invites.
import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor, type PageRequest } from '../../src/http/pagination.js';
import { InvitesRepository } from '../../src/invites/invites-repository.js';
import { OrganizationsRepository } from '../../src/orgs/organizations-repository.js';
import { ReferralsRepository } from '../../src/referrals/referrals-repository.js';
import { UsersRepository } from '../../src/users/users-repository.js';
import { drivers, useDriverDatabase } from './support/drivers.js';

describe.each(drivers)('network repositories on %s', (_kind, makeDriver) => {
  const opened = useDriverDatabase(makeDriver);
  let users: UsersRepository;
  let organizations: OrganizationsRepository;
  let referrals: ReferralsRepository;
  let invites: InvitesRepository;

  beforeAll(() => {
    users = new UsersRepository(opened.database.db);
    organizations = new OrganizationsRepository(opened.database.db);
    referrals = new ReferralsRepository(opened.database.db);
    invites = new InvitesRepository(opened.database.db);
  });

  const newUser = (name = 'User') =>
    users.create({ email: `${randomUUID()}@example.com`, displayName: name, passwordHash: 'x' });

  it('an organization starts with its creator as owner; the last owner cannot leave', async () => {
    const owner = await newUser('Owner');
    const member = await newUser('Member');
    const org = await organizations.create({ name: 'Acme', description: 'Recruiting', ownerId: owner.id });
    expect(org).toMatchObject({ name: 'Acme', description: 'Recruiting', memberCount: 1 });
    expect(await organizations.roleOf(org.id, owner.id)).toBe('owner');

    expect(await organizations.addMember(org.id, member.id, 'member')).toBe(true);
    expect(await organizations.addMember(org.id, member.id, 'admin')).toBe(false); // already a member
    expect(await organizations.roleOf(org.id, member.id)).toBe('member');
    expect((await organizations.findById(org.id))?.memberCount).toBe(2);

    expect(await organizations.removeMember(org.id, owner.id)).toBe('last_owner');
    expect(await organizations.removeMember(org.id, member.id)).toBe('removed');
    expect(await organizations.removeMember(org.id, member.id)).toBe('not_member');
    expect(await organizations.findById('not-a-uuid')).toBeUndefined();
  });

  it('referral pages walk every row exactly once, newest first, by direction and status', async () => {
    const owner = await newUser();
    const from = await organizations.create({ name: 'From', description: '', ownerId: owner.id });
    const to = await organizations.create({ name: 'To', description: '', ownerId: owner.id });
    const made: string[] = [];
    for (let i = 0; i < 23; i += 1) {
      const referral = await referrals.create({
        fromOrganizationId: from.id,
        toOrganizationId: to.id,
        createdBy: owner.id,
        candidateName: `Candidate ${i}`,
      });
      made.push(referral.id);
    }
    // Rows created within one millisecond share created_at: the id breaks the tie.
    const seen: string[] = [];
    let page: PageRequest = { limit: 5, after: undefined };
    for (;;) {
      const rows = await referrals.list({ organizationId: to.id, direction: 'received' }, page);
      const items = rows.slice(0, page.limit);
      seen.push(...items.map((row) => row.id));
      if (rows.length <= page.limit) break;
      page = { limit: 5, after: items.at(-1)! };
    }
    expect(seen).toHaveLength(23);
    expect(new Set(seen)).toEqual(new Set(made));
    const listed = await referrals.list(
      { organizationId: to.id, direction: 'received' },
      { limit: 100, after: undefined },
    );
    const times = listed.map((row) => row.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));

    expect(
      await referrals.list(
        { organizationId: from.id, direction: 'received' },
        { limit: 5, after: undefined },
      ),
    ).toEqual([]);
    expect(
      await referrals.list({ organizationId: from.id, direction: 'sent' }, { limit: 100, after: undefined }),
    ).toHaveLength(23);

    await referrals.transition(made[0]!, 'pending', 'accepted', owner.id);
    const accepted = await referrals.list(
      { organizationId: to.id, direction: 'received', status: 'accepted' },
      { limit: 100, after: undefined },
    );
    expect(accepted.map((row) => row.id)).toEqual([made[0]]);
    // A cursor is a plain (created_at, id) position: it round-trips through its text form.
    expect(encodeCursor(listed[0]!)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('of two concurrent status changes from pending, exactly one wins', async () => {
    const owner = await newUser();
    const from = await organizations.create({ name: 'A', description: '', ownerId: owner.id });
    const to = await organizations.create({ name: 'B', description: '', ownerId: owner.id });
    const referral = await referrals.create({
      fromOrganizationId: from.id,
      toOrganizationId: to.id,
      createdBy: owner.id,
      candidateName: 'Ada',
    });
    const [accept, decline] = await Promise.all([
      referrals.transition(referral.id, 'pending', 'accepted', owner.id),
      referrals.transition(referral.id, 'pending', 'declined', owner.id),
    ]);
    expect([accept, decline].filter(Boolean)).toHaveLength(1);
    expect(await referrals.transition(referral.id, 'pending', 'accepted', owner.id)).toBeUndefined();
  });

  it('an invite is accepted once, adds the membership with its role, and can be revoked while open', async () => {
    const owner = await newUser();
    const invitee = await newUser();
    const org = await organizations.create({ name: 'Invites', description: '', ownerId: owner.id });
    const tokenHash = createHash('sha256').update(randomUUID()).digest('hex');
    const invite = await invites.create({
      organizationId: org.id,
      email: 'Someone@Example.com',
      role: 'admin',
      invitedBy: owner.id,
      tokenHash,
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(invite.email).toBe('someone@example.com');
    expect((await invites.findByTokenHash(tokenHash))?.id).toBe(invite.id);
    expect((await invites.listOpen(org.id, { limit: 10, after: undefined })).map((row) => row.id)).toEqual([
      invite.id,
    ]);

    const results = await Promise.all([
      invites.accept(invite.id, invitee.id),
      invites.accept(invite.id, invitee.id),
    ]);
    expect(results.filter(Boolean)).toEqual([{ organizationId: org.id, role: 'admin', joined: true }]);
    expect(await organizations.roleOf(org.id, invitee.id)).toBe('admin');
    expect(await invites.listOpen(org.id, { limit: 10, after: undefined })).toEqual([]);
    expect(await invites.revoke(org.id, invite.id)).toBe(false); // accepted: no longer open

    const expired = await invites.create({
      organizationId: org.id,
      email: 'late@example.com',
      role: 'member',
      invitedBy: owner.id,
      tokenHash: createHash('sha256').update(randomUUID()).digest('hex'),
      expiresAt: new Date(Date.now() - 1000),
    });
    expect(await invites.accept(expired.id, invitee.id)).toBeUndefined();

    // Someone who already is a member uses up the invite and keeps their role: nobody joined.
    const again = await invites.create({
      organizationId: org.id,
      email: 'someone@example.com',
      role: 'member',
      invitedBy: owner.id,
      tokenHash: createHash('sha256').update(randomUUID()).digest('hex'),
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(await invites.accept(again.id, invitee.id)).toEqual({
      organizationId: org.id,
      role: 'member',
      joined: false,
    });
    expect(await organizations.roleOf(org.id, invitee.id)).toBe('admin');
  });
});
