// The referral network through the real api process over HTTP: organizations and members, invites by
// email, referrals moving through their statuses, pagination and validation, and cached reads that
// change as soon as a write changes them.
import { describe, expect, it } from 'vitest';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient } from './support/http-client.js';
import { waitForTokenFor } from './support/mailbox.js';

interface Organization {
  id: string;
  name: string;
  description: string;
  memberCount: number;
}
interface Referral {
  id: string;
  status: string;
  fromOrganizationId: string;
  toOrganizationId: string;
  candidateName: string;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; message: string };
}

describe('referral network', () => {
  const stack = useApiStack('network', { worker: true });

  const member = async (email: string, displayName: string) => {
    const client = new HttpClient(stack.api.url);
    await signUp(client, { email, password: 'correct horse battery', displayName });
    return client;
  };
  const createOrg = async (client: HttpClient, name: string) => {
    const res = await client.post<{ organization: Organization }>('/orgs', {
      name,
      description: `${name} desc`,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/orgs/${res.body.organization.id}`);
    return res.body.organization;
  };

  it('organizations: create, read (cached, and fresh after every change), rename by managers only', async () => {
    const owner = await member('owner1@example.com', 'Olive');
    const org = await createOrg(owner, 'Acme Talent');
    expect(org).toMatchObject({ name: 'Acme Talent', memberCount: 1 });

    const read = await owner.get<{ organization: Organization }>(`/orgs/${org.id}`);
    expect(read.body.organization.name).toBe('Acme Talent');
    const renamed = await owner.patch<{ organization: Organization }>(`/orgs/${org.id}`, {
      name: 'Acme People',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.organization.name).toBe('Acme People');
    expect((await owner.get<{ organization: Organization }>(`/orgs/${org.id}`)).body.organization.name).toBe(
      'Acme People',
    );

    const outsider = await member('outsider1@example.com', 'Otto');
    // Anyone signed in sees an organization's details; only members see its members.
    expect((await outsider.get(`/orgs/${org.id}`)).status).toBe(200);
    expect((await outsider.get<ErrorBody>(`/orgs/${org.id}/members`)).body.error.code).toBe('not_a_member');
    expect((await outsider.patch<ErrorBody>(`/orgs/${org.id}`, { name: 'Mine now' })).status).toBe(403);
    expect((await outsider.get<ErrorBody>(`/orgs/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await outsider.get<ErrorBody>('/orgs/not-an-id')).body.error.code).toBe('organization_not_found');
    expect((await new HttpClient(stack.api.url).get<ErrorBody>(`/orgs/${org.id}`)).status).toBe(401);

    const bad = await owner.post<ErrorBody>('/orgs', { name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('name: must be at least 2 characters');
    expect((await owner.patch<ErrorBody>(`/orgs/${org.id}`, {})).body.error.code).toBe('invalid_request');
  });

  it('invites: mailed link, accepted only by the invited address, membership and member count follow', async () => {
    const owner = await member('owner2@example.com', 'Grace');
    const org = await createOrg(owner, 'Invite Co');
    expect(
      (await owner.get<{ organization: Organization }>(`/orgs/${org.id}`)).body.organization.memberCount,
    ).toBe(1);

    const invited = await owner.post<{ invite: { id: string; email: string; role: string } }>(
      `/orgs/${org.id}/invites`,
      { email: 'Carol@Example.com', role: 'member' },
    );
    expect(invited.status).toBe(201);
    expect(invited.body.invite).toMatchObject({ email: 'carol@example.com', role: 'member' });
    const open = await owner.get<Page<{ id: string }>>(`/orgs/${org.id}/invites`);
    expect(open.body.items.map((invite) => invite.id)).toEqual([invited.body.invite.id]);

    const token = await waitForTokenFor(stack.mailDir(), 'carol@example.com', /Invite Co/);
    expect(token).toBeDefined();

    // Another account cannot use it, and trying does not use it up.
    const mallory = await member('mallory@example.com', 'Mallory');
    const stolen = await mallory.post<ErrorBody>('/invites/accept', { token });
    expect(stolen.status).toBe(403);
    expect(stolen.body.error.code).toBe('invite_for_another_email');

    const carol = await member('carol@example.com', 'Carol');
    const accepted = await carol.post<{ organization: Organization }>('/invites/accept', { token });
    expect(accepted.status).toBe(200);
    expect(accepted.body.organization).toMatchObject({ id: org.id, memberCount: 2 });
    expect((await carol.post<ErrorBody>('/invites/accept', { token })).body.error.code).toBe('invalid_token');
    expect(
      (await owner.get<{ organization: Organization }>(`/orgs/${org.id}`)).body.organization.memberCount,
    ).toBe(2);

    const mine = await carol.get<Page<{ organization: { id: string }; role: string }>>('/orgs');
    expect(mine.body.items).toEqual([
      expect.objectContaining({ organization: expect.objectContaining({ id: org.id }), role: 'member' }),
    ]);
    const members = await carol.get<Page<{ displayName: string; role: string }>>(`/orgs/${org.id}/members`);
    expect(members.body.items.map((m) => [m.displayName, m.role])).toEqual([
      ['Carol', 'member'],
      ['Grace', 'owner'],
    ]);

    // Members may not invite; admins may not invite admins.
    expect((await carol.post(`/orgs/${org.id}/invites`, { email: 'x@example.com' })).status).toBe(403);
    // The last owner cannot leave; a member can.
    const me = await owner.get<{ user: { id: string } }>('/me');
    expect((await owner.delete<ErrorBody>(`/orgs/${org.id}/members/${me.body.user.id}`)).status).toBe(409);
    const carolId = (await carol.get<{ user: { id: string } }>('/me')).body.user.id;
    expect((await carol.delete(`/orgs/${org.id}/members/${carolId}`)).status).toBe(204);
    expect(
      (await owner.get<{ organization: Organization }>(`/orgs/${org.id}`)).body.organization.memberCount,
    ).toBe(1);
  });

  it('referrals: pending -> accepted -> completed by the receiving organization; listings follow every change', async () => {
    const sender = await member('sender@example.com', 'Sam');
    const receiver = await member('receiver@example.com', 'Rita');
    const from = await createOrg(sender, 'Sender Org');
    const to = await createOrg(receiver, 'Receiver Org');

    const received = (status: string) =>
      receiver.get<Page<Referral>>(`/orgs/${to.id}/referrals?direction=received&status=${status}`);
    expect((await received('pending')).body.items).toEqual([]); // cached empty page ...

    const made = await sender.post<{ referral: Referral }>(`/orgs/${from.id}/referrals`, {
      toOrganizationId: to.id,
      candidateName: 'Ada Lovelace',
      candidateEmail: 'ada@example.com',
      note: 'Great with engines',
    });
    expect(made.status).toBe(201);
    expect(made.body.referral).toMatchObject({
      status: 'pending',
      fromOrganizationId: from.id,
      toOrganizationId: to.id,
    });
    const id = made.body.referral.id;
    expect((await received('pending')).body.items.map((r) => r.id)).toEqual([id]); // ... invalidated by the write

    // Only the receiving organization moves it; the sender sees it; strangers do not.
    expect((await sender.post<ErrorBody>(`/referrals/${id}/accept`)).status).toBe(403);
    const stranger = await member('stranger@example.com', 'Stan');
    expect((await stranger.get<ErrorBody>(`/referrals/${id}`)).status).toBe(404);
    expect((await sender.get<{ referral: Referral }>(`/referrals/${id}`)).body.referral.candidateName).toBe(
      'Ada Lovelace',
    );
    expect((await receiver.post<ErrorBody>(`/referrals/${id}/complete`)).body.error.code).toBe(
      'referral_status_conflict',
    );

    expect(
      (await receiver.post<{ referral: Referral }>(`/referrals/${id}/accept`)).body.referral.status,
    ).toBe('accepted');
    expect((await received('pending')).body.items).toEqual([]);
    expect((await received('accepted')).body.items.map((r) => r.id)).toEqual([id]);
    const sent = await sender.get<Page<Referral>>(`/orgs/${from.id}/referrals?direction=sent`);
    expect(sent.body.items.map((r) => [r.id, r.status])).toEqual([[id, 'accepted']]);

    expect(
      (await receiver.post<{ referral: Referral }>(`/referrals/${id}/complete`)).body.referral.status,
    ).toBe('completed');
    const declined = await receiver.post<ErrorBody>(`/referrals/${id}/decline`);
    expect(declined.status).toBe(409);
    expect(declined.body.error.message).toBe(
      'The referral is completed; only a pending referral can be declined.',
    );

    const self = await sender.post<ErrorBody>(`/orgs/${from.id}/referrals`, {
      toOrganizationId: from.id,
      candidateName: 'X',
    });
    expect(self.body.error.message).toBe('toOrganizationId: must be another organization');
    const noName = await sender.post<ErrorBody>(`/orgs/${from.id}/referrals`, { toOrganizationId: to.id });
    expect(noName.status).toBe(400);
    expect(
      (
        await stranger.post<ErrorBody>(`/orgs/${from.id}/referrals`, {
          toOrganizationId: to.id,
          candidateName: 'X',
        })
      ).status,
    ).toBe(403);
  });

  it('pages: keyset cursors walk every referral once; bad page parameters are 400s', async () => {
    const sender = await member('pager@example.com', 'Pat');
    const from = await createOrg(sender, 'Pager From');
    const to = await createOrg(sender, 'Pager To');
    const made = new Set<string>();
    for (let i = 0; i < 25; i += 1) {
      const res = await sender.post<{ referral: Referral }>(`/orgs/${from.id}/referrals`, {
        toOrganizationId: to.id,
        candidateName: `Candidate ${i}`,
      });
      made.add(res.body.referral.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/orgs/${to.id}/referrals?limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { body: Page<Referral> } = await sender.get<Page<Referral>>(query);
      seen.push(...page.body.items.map((r) => r.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen)).toEqual(made);

    expect((await sender.get<ErrorBody>(`/orgs/${to.id}/referrals?limit=0`)).body.error.message).toBe(
      'limit: must be at least 1',
    );
    expect((await sender.get<ErrorBody>(`/orgs/${to.id}/referrals?limit=101`)).status).toBe(400);
    expect((await sender.get<ErrorBody>(`/orgs/${to.id}/referrals?cursor=garbage`)).body.error.message).toBe(
      'cursor: is not a cursor from this api',
    );
    expect((await sender.get<ErrorBody>(`/orgs/${to.id}/referrals?status=lost`)).status).toBe(400);
  });
});
