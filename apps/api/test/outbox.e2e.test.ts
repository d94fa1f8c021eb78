// Domain events survive a Redis outage: a referral made while Redis is stopped is saved (201), its
// event waits in the database's outbox, and once Redis is back its notifications and mail arrive
// exactly once. Two api instances on one PostgreSQL relay the backlog without sending an event twice.
// An invite's mail goes the same way, its link sealed in the database; a member who joins is
// announced to the organization's owners and admins, stored and live.
import { openSse, waitFor } from '@rnh/test-utils';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db/support/postgres.js';
import { startApiProcess, type ApiProcess } from './support/api-env.js';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient } from './support/http-client.js';
import { latestLinkFor, mailTo } from './support/mailbox.js';
import { metricSum } from './support/metrics.js';

const WAIT = { timeoutMs: 60_000 };

describe('the outbox across a Redis outage, relayed by two api instances', () => {
  const env: Record<string, string> = {
    // A Bearer client checked before the outage stays trusted through it (the outage is the test's subject).
    ACCESS_TOKEN_REVOCATION_L1_TTL_SECONDS: '600',
    // The mail quotas fail closed: with them on, an invite during the outage is refused (503) before
    // anything is written. Off, the invite reaches the write whose mail must not be lost.
    RATE_LIMIT_EMAIL_USER: 'off',
    RATE_LIMIT_EMAIL_ADDRESS: 'off',
  };
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    env.DATABASE_URL = database.url;
  });
  // Append-only: the sessions and queues survive the restart, as a production Redis's would.
  const stack = useApiStack('outbox', { worker: true, env, redis: { appendOnly: true } });
  let second: ApiProcess;
  beforeAll(async () => {
    second = await startApiProcess(stack.env);
  });
  afterAll(async () => {
    await second?.stop();
    await database?.drop();
  });

  const member = async (email: string, displayName: string) => {
    const client = new HttpClient(stack.api.url);
    const user = await signUp(client, { email, password: 'correct horse battery', displayName });
    return { client, user, email };
  };
  const createOrg = async (client: HttpClient, name: string) =>
    (await client.post<{ organization: { id: string } }>('/orgs', { name, description: '' })).body
      .organization;
  const notificationsFor = async (client: HttpClient, referralId: string) =>
    (
      await client.get<{ items: Array<{ referralId: string; kind: string }> }>('/me/notifications?limit=100')
    ).body.items.filter((item) => item.referralId === referralId);
  const bearerOf = async (email: string) => {
    const tokens = await new HttpClient(stack.api.url).post<{ accessToken: string }>('/auth/token', {
      email,
      password: 'correct horse battery',
    });
    return { authorization: `Bearer ${tokens.body.accessToken}` };
  };
  /** The outbox row of an event, as the database holds it (every column, as text). */
  const outboxRow = async (aggregate: string) => {
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ text: string; link: string; sent: boolean }>(
        `SELECT row_to_json(o)::text AS text, o.payload->>'link' AS link, o.sent_at IS NOT NULL AS sent
         FROM outbox o WHERE aggregate = $1`,
        [aggregate],
      );
      expect(rows).toHaveLength(1);
      return rows[0]!;
    } finally {
      await db.end();
    }
  };
  /**
   * Redis back, and both instances using it again: each connection reconnects on its own
   * backoff (up to seconds), so a test that goes on at once could meet one still waiting.
   */
  const restartRedis = async () => {
    await stack.redis.restart();
    for (const instance of [stack.api, second])
      await waitFor(async () => {
        const health = await new HttpClient(instance.url).get<{ redis: { status: string } }>('/health');
        // The producer connection (enqueues fail fast, e.g. a sign-up's verification mail) too.
        const producerReady = await metricSum(instance.metricsUrl, 'redis_client_connection_state', {
          pool: 'producer',
          state: 'ready',
        });
        return health.status === 200 && health.body.redis.status === 'up' && producerReady === 1;
      }, WAIT);
  };
  const relayed = async () =>
    (await metricSum(stack.api.metricsUrl, 'outbox_events_relayed_total')) +
    (await metricSum(second.metricsUrl, 'outbox_events_relayed_total'));

  it('a referral made while Redis is stopped is saved, and its notifications and mail arrive exactly once after', async () => {
    const sam = await member('sam@example.com', 'Sam');
    const rita = await member('rita@example.com', 'Rita');
    const from = await createOrg(sam.client, 'Sender Org');
    const to = await createOrg(rita.client, 'Receiver Org');
    const tokens = await sam.client.post<{ accessToken: string }>('/auth/token', {
      email: sam.email,
      password: 'correct horse battery',
    });
    const bearer = { authorization: `Bearer ${tokens.body.accessToken}` };
    const api = new HttpClient(stack.api.url);
    expect((await api.get('/me', bearer)).status).toBe(200);
    const before = await relayed();

    await stack.redis.stop();
    let referralId: string;
    try {
      const made = await api.request<{ referral: { id: string } }>(
        'POST',
        `/orgs/${from.id}/referrals`,
        { toOrganizationId: to.id, candidateName: 'Outage Candidate', candidateEmail: 'c@example.com' },
        bearer,
      );
      expect(made.status).toBe(201);
      referralId = made.body.referral.id;
      // Nothing can reach the queue now: the event waits in the database.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await metricSum(stack.api.metricsUrl, 'outbox_events_pending')).toBeGreaterThanOrEqual(1);
    } finally {
      await restartRedis();
    }

    await waitFor(async () => (await notificationsFor(rita.client, referralId)).length > 0, WAIT);
    await waitFor(() => mailTo(stack.mailDir(), rita.email, /Outage Candidate/).length > 0, WAIT);
    await waitFor(async () => (await metricSum(stack.api.metricsUrl, 'outbox_events_pending')) === 0, WAIT);
    // Settled: the one event went to the queue once, and became one notification and one mail.
    expect((await relayed()) - before).toBe(1);
    expect(await notificationsFor(rita.client, referralId)).toEqual([
      expect.objectContaining({ kind: 'referral_created' }),
    ]);
    expect(mailTo(stack.mailDir(), rita.email, /Outage Candidate/)).toHaveLength(1);
  });

  it(
    'two instances relay a backlog in order per referral, each event once',
    { timeout: 240_000 },
    async () => {
      const sam = await member('sam2@example.com', 'Sam');
      const rita = await member('rita2@example.com', 'Rita');
      const from = await createOrg(sam.client, 'Sender Two');
      const to = await createOrg(rita.client, 'Receiver Two');
      const tokens = await rita.client.post<{ accessToken: string }>('/auth/token', {
        email: rita.email,
        password: 'correct horse battery',
      });
      const ritaBearer = { authorization: `Bearer ${tokens.body.accessToken}` };
      const samTokens = await sam.client.post<{ accessToken: string }>('/auth/token', {
        email: sam.email,
        password: 'correct horse battery',
      });
      const samBearer = { authorization: `Bearer ${samTokens.body.accessToken}` };
      const api = new HttpClient(stack.api.url);
      expect((await api.get('/me', ritaBearer)).status).toBe(200);
      expect((await api.get('/me', samBearer)).status).toBe(200);
      const before = await relayed();

      await stack.redis.stop();
      const ids: string[] = [];
      try {
        // Six referrals made and accepted during the outage: 12 events, two per referral, in order.
        for (let i = 0; i < 6; i += 1) {
          const made = await api.request<{ referral: { id: string } }>(
            'POST',
            `/orgs/${from.id}/referrals`,
            { toOrganizationId: to.id, candidateName: `Backlog ${i}`, candidateEmail: 'c@example.com' },
            samBearer,
          );
          expect(made.status).toBe(201);
          ids.push(made.body.referral.id);
          expect(
            (await api.request('POST', `/referrals/${made.body.referral.id}/accept`, undefined, ritaBearer))
              .status,
          ).toBe(200);
        }
      } finally {
        await restartRedis();
      }

      await waitFor(async () => (await relayed()) - before === 12, WAIT);
      await waitFor(async () => (await metricSum(stack.api.metricsUrl, 'outbox_events_pending')) === 0, WAIT);
      // Both relays ran on the same backlog; between them, nothing went twice.
      expect((await relayed()) - before).toBe(12);
      for (const id of ids) {
        await waitFor(async () => (await notificationsFor(sam.client, id)).length === 1, WAIT);
        expect((await notificationsFor(sam.client, id)).map((item) => item.kind)).toEqual([
          'referral_accepted',
        ]);
        await waitFor(async () => (await notificationsFor(rita.client, id)).length === 1, WAIT);
        expect((await notificationsFor(rita.client, id)).map((item) => item.kind)).toEqual([
          'referral_created',
        ]);
      }
    },
  );

  const inviteTokenFrom = (to: string) => {
    const link = latestLinkFor(stack.mailDir(), to, /invited you to/);
    return (link && new URL(link).searchParams.get('token')) ?? undefined;
  };
  const joinedNotifications = async (client: HttpClient, who: string) =>
    (
      await client.get<{ items: Array<{ kind: string; message: string; inviteId: string | null }> }>(
        '/me/notifications?limit=100',
      )
    ).body.items.filter((item) => item.kind === 'member_joined' && item.message.startsWith(`${who} joined`));

  it(
    'an invite made while Redis is stopped is saved with its link sealed, and mailed exactly once after; the link works',
    { timeout: 180_000 },
    async () => {
      const grace = await member('grace@example.com', 'Grace');
      const org = await createOrg(grace.client, 'Invite Co');
      const bearer = await bearerOf(grace.email);
      const api = new HttpClient(stack.api.url);
      expect((await api.get('/me', bearer)).status).toBe(200);

      await stack.redis.stop();
      let inviteId: string;
      try {
        const invited = await api.request<{ invite: { id: string } }>(
          'POST',
          `/orgs/${org.id}/invites`,
          { email: 'carol@example.com', role: 'member' },
          bearer,
        );
        expect(invited.status).toBe(201);
        inviteId = invited.body.invite.id;
        // The mail waits in the outbox, its link sealed: nothing in the row can be followed.
        const waiting = await outboxRow(`invite:${inviteId}`);
        expect(waiting.sent).toBe(false);
        expect(waiting.link).toMatch(/^sealed:v1:/);
        expect(waiting.text).not.toMatch(/token=|invites\/accept/);
      } finally {
        await restartRedis();
      }

      await waitFor(
        () => mailTo(stack.mailDir(), 'carol@example.com', /invited you to the Invite Co network/).length > 0,
        WAIT,
      );
      await waitFor(async () => (await outboxRow(`invite:${inviteId}`)).sent, WAIT);
      const token = inviteTokenFrom('carol@example.com')!;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Sent: the row keeps the mail's other fields and not even the sealed link.
      const sent = await outboxRow(`invite:${inviteId}`);
      expect(sent.link).toBe('[redacted]');
      expect(sent.text).not.toContain(token);

      const carol = await member('carol@example.com', 'Carol');
      const accepted = await carol.client.post<{ organization: { id: string; memberCount: number } }>(
        '/invites/accept',
        { token },
      );
      expect(accepted.status).toBe(200);
      expect(accepted.body.organization).toMatchObject({ id: org.id, memberCount: 2 });
      expect(
        mailTo(stack.mailDir(), 'carol@example.com', /invited you to the Invite Co network/),
      ).toHaveLength(1);
    },
  );

  it(
    'a member who joins is announced once to the organization’s owners and admins, stored and live, and to no one else',
    { timeout: 240_000 },
    async () => {
      const grace = await member('grace2@example.com', 'Grace');
      const org = await createOrg(grace.client, 'Joiners Co');
      const join = async (email: string, displayName: string, role: 'admin' | 'member') => {
        const invited = await grace.client.post(`/orgs/${org.id}/invites`, { email, role });
        expect(invited.status).toBe(201);
        await waitFor(() => inviteTokenFrom(email) !== undefined, WAIT);
        const joiner = await member(email, displayName);
        const accepted = await joiner.client.post('/invites/accept', { token: inviteTokenFrom(email) });
        expect(accepted.status).toBe(200);
        return joiner;
      };
      const alan = await join('alan2@example.com', 'Alan', 'admin');
      const mia = await join('mia2@example.com', 'Mia', 'member');
      await waitFor(async () => (await joinedNotifications(grace.client, 'Mia')).length === 1, WAIT);

      const live = await openSse(`${stack.api.url}/events`, { cookie: `sid=${alan.client.cookie('sid')}` });
      try {
        await waitFor(() => live.frames.some((frame) => frame.event === 'ready'), WAIT);
        const carol = await join('carol2@example.com', 'Carol', 'member');
        const expected = 'Carol joined Joiners Co as a member.';

        const liveJoins = () =>
          live.frames
            .filter((frame) => frame.event === 'notification')
            .map((frame) => (JSON.parse(frame.data) as { data: { kind: string; message: string } }).data)
            .filter((notification) => notification.message.startsWith('Carol joined'));
        await waitFor(() => liveJoins().length > 0, WAIT);
        await waitFor(async () => (await joinedNotifications(grace.client, 'Carol')).length > 0, WAIT);
        await waitFor(
          async () => (await metricSum(stack.api.metricsUrl, 'outbox_events_pending')) === 0,
          WAIT,
        );

        expect(liveJoins()).toEqual([expect.objectContaining({ kind: 'member_joined', message: expected })]);
        for (const manager of [grace, alan])
          expect(await joinedNotifications(manager.client, 'Carol')).toEqual([
            expect.objectContaining({ message: expected, inviteId: expect.any(String) }),
          ]);
        // Not the plain member, not the one who joined; the admin's own joining went to the owner only.
        expect(await joinedNotifications(mia.client, 'Carol')).toEqual([]);
        expect(await joinedNotifications(carol.client, 'Carol')).toEqual([]);
        expect(await joinedNotifications(grace.client, 'Alan')).toEqual([
          expect.objectContaining({ message: 'Alan joined Joiners Co as an admin.' }),
        ]);
        expect(await joinedNotifications(alan.client, 'Alan')).toEqual([]);
        // The organization's cached details follow: four members.
        const details = await mia.client.get<{ organization: { memberCount: number } }>(`/orgs/${org.id}`);
        expect(details.body.organization.memberCount).toBe(4);
      } finally {
        live.close();
      }
    },
  );
});
