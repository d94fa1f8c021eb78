// Domain events survive a Redis outage: a referral made while Redis is stopped is saved (201), its
// event waits in the database's outbox, and once Redis is back its notifications and mail arrive
// exactly once. Two api instances on one PostgreSQL relay the backlog without sending an event twice.
import { waitFor } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db/support/postgres.js';
import { startApiProcess, type ApiProcess } from './support/api-env.js';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient } from './support/http-client.js';
import { mailTo } from './support/mailbox.js';
import { metricSum } from './support/metrics.js';

const WAIT = { timeoutMs: 60_000 };

describe('the outbox across a Redis outage, relayed by two api instances', () => {
  const env: Record<string, string> = {
    // A Bearer client checked before the outage stays trusted through it (the outage is the test's subject).
    ACCESS_TOKEN_REVOCATION_L1_TTL_SECONDS: '600',
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
      await stack.redis.restart();
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
        await stack.redis.restart();
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
});
