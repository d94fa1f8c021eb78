// Background work through real processes: the api enqueues over HTTP, a real worker process sends
// the mail, the trace continues from the request into the worker, referral events reach both
// organizations as notifications and mail, and operators see and retry dead jobs.
import { networkQueue } from '@rnh/jobs';
import { QueueProducer } from '@rnh/queue';
import { testConnections } from '@rnh/test-connections';
import { memoryLogger, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { startWorkerProcess } from './support/api-env.js';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient } from './support/http-client.js';
import { latestTokenFor, mailTo, waitForTokenFor } from './support/mailbox.js';
import { startRefusingSmtp } from './support/refusing-smtp.js';

const PASSWORD = 'correct horse battery';

interface Page<T> {
  items: T[];
}

describe('jobs between the api and the worker', () => {
  const stack = useApiStack('jobs', {
    worker: true,
    tracing: true,
    env: { API_ADMIN_EMAILS: 'ops@example.com' },
  });

  const signup = async (email: string, displayName: string) => {
    const client = new HttpClient(stack.api.url);
    const { id } = await signUp(client, { email, password: PASSWORD, displayName });
    return { client, id };
  };

  it("signup over HTTP -> the worker process sends the mail, in the request's trace", async () => {
    await signup('trace@example.com', 'Tracy');
    const token = await waitForTokenFor(stack.mailDir(), 'trace@example.com', /confirm your email/i);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);

    const requestSpan = () =>
      stack.collector.spans.find(
        (span) =>
          span.service === 'rnh-api' &&
          span.kind === 2 &&
          String(span.attributes['http.route']) === '/auth/signup',
      );
    // Both apps export in batches on their own schedule: wait for each side's span, not one of them.
    await waitFor(
      () =>
        requestSpan() !== undefined &&
        stack.collector.spans.some(
          (span) =>
            span.service === 'rnh-worker' &&
            span.attributes['messaging.bullmq.job.name'] === 'email_verification',
        ),
      { timeoutMs: 30_000, what: "the api's request span and the worker's processing span" },
    );
    const request = requestSpan();
    expect(request).toBeDefined();
    const processing = stack.collector.spans.filter(
      (span) =>
        span.service === 'rnh-worker' &&
        span.attributes['messaging.bullmq.job.name'] === 'email_verification',
    );
    expect(processing.map((span) => span.traceId)).toContain(request!.traceId);
    // Never a payload value (the address, the link) on a span.
    const text = JSON.stringify(stack.collector.spans);
    expect(text).not.toContain('trace@example.com');
    expect(text).not.toContain(token);
  });

  it('a referral event notifies the members of both organizations, in the app and by mail', async () => {
    const sender = await signup('sally@example.com', 'Sally');
    const receiver = await signup('rob@example.com', 'Rob');
    const from = await sender.client.post<{ organization: { id: string } }>('/orgs', { name: 'Sally Org' });
    const to = await receiver.client.post<{ organization: { id: string } }>('/orgs', { name: 'Rob Org' });
    const made = await sender.client.post<{ referral: { id: string } }>(
      `/orgs/${from.body.organization.id}/referrals`,
      {
        toOrganizationId: to.body.organization.id,
        candidateName: 'Grace Hopper',
      },
    );
    expect(made.status).toBe(201);

    // Rob (the other organization) is told; Sally made it herself and is not.
    await waitFor(
      () => mailTo(stack.mailDir(), 'rob@example.com', /Grace Hopper was referred/).length === 1,
      {
        timeoutMs: 15_000,
        what: "Rob's referral mail",
      },
    );
    expect(mailTo(stack.mailDir(), 'sally@example.com', /Grace Hopper/)).toEqual([]);

    const accepted = await receiver.client.post(`/referrals/${made.body.referral.id}/accept`);
    expect(accepted.status).toBe(200);
    await waitFor(
      async () => (await sender.client.get<Page<unknown>>('/me/notifications')).body.items.length === 1,
      {
        timeoutMs: 15_000,
        what: "Sally's notification of the acceptance",
      },
    );
    const notification = (await receiver.client.get<Page<{ id: string }>>('/me/notifications')).body
      .items[0]!;
    expect((await receiver.client.post(`/me/notifications/${notification.id}/read`)).status).toBe(204);
    expect((await sender.client.post(`/me/notifications/${notification.id}/read`)).status).toBe(404); // not hers
  });

  it('the daily digest mails each member the referrals waiting for their organizations', async () => {
    const sender = await signup('dora@example.com', 'Dora');
    const receiver = await signup('dan@example.com', 'Dan');
    const from = await sender.client.post<{ organization: { id: string } }>('/orgs', { name: 'Dora Org' });
    const to = await receiver.client.post<{ organization: { id: string } }>('/orgs', { name: 'Dan Org' });
    for (const candidate of ['Alan Turing', 'Ada Lovelace'])
      await sender.client.post(`/orgs/${from.body.organization.id}/referrals`, {
        toOrganizationId: to.body.organization.id,
        candidateName: candidate,
      });
    // The schedule runs it at 07:00 UTC; here it is enqueued the same way the schedule does.
    const connections = testConnections(stack.redis, { keyPrefix: stack.env.REDIS_KEY_PREFIX! });
    const network = new QueueProducer({ redis: connections, logger: memoryLogger().logger }, networkQueue);
    try {
      await network.enqueue('daily_digest', {});
    } finally {
      await network.close();
      await connections.close();
    }
    await waitFor(
      () => mailTo(stack.mailDir(), 'dan@example.com', /2 referrals waiting for an answer/).length === 1,
      {
        timeoutMs: 15_000,
        what: "Dan's digest",
      },
    );
    expect(mailTo(stack.mailDir(), 'dan@example.com', /Dan Org: 2 pending/)).toHaveLength(1);
    expect(mailTo(stack.mailDir(), 'dora@example.com', /waiting for an answer/)).toEqual([]);
  });

  it('operators see the queues; a refused mail goes dead, and retrying it sends it once the mail server accepts', async () => {
    const ops = await signup('ops@example.com', 'Ops');
    const someone = await signup('someone@example.com', 'Someone');
    expect((await someone.client.get('/admin/queues')).status).toBe(403);
    // An operator's address counts once verified (test/admin-security.e2e.test.ts shows why).
    const opsToken = await waitForTokenFor(stack.mailDir(), 'ops@example.com', /confirm your email/i);
    expect((await ops.client.post('/auth/verify-email/confirm', { token: opsToken })).status).toBe(200);

    const queues = await ops.client.get<{ queues: { name: string; counts: Record<string, number> }[] }>(
      '/admin/queues',
    );
    expect(queues.status).toBe(200);
    expect(queues.body.queues.map((queue) => queue.name).sort()).toEqual(['email', 'maintenance', 'network']);

    // A second worker whose mail server refuses every message for good (554): its job goes straight to dead.
    await stack.worker.stop();
    const refusing = await startRefusingSmtp();
    const strict = await startWorkerProcess({ ...stack.env, SMTP_URL: `smtp://127.0.0.1:${refusing.port}` });
    try {
      await signup('bounced@example.com', 'Bounced');
      await waitFor(
        async () =>
          (await ops.client.get<{ jobs: unknown[] }>('/admin/queues/email/dead')).body.jobs.length === 1,
        { timeoutMs: 15_000, what: 'the refused mail in the dead letters' },
      );
    } finally {
      await strict.stop();
      refusing.server.close();
    }
    const dead = await ops.client.get<{
      total: number;
      jobs: { id: string; name: string; reason: string }[];
    }>('/admin/queues/email/dead');
    expect(dead.body.jobs[0]).toMatchObject({ name: 'email_verification', reason: 'unrecoverable' });
    expect(latestTokenFor(stack.mailDir(), 'bounced@example.com', /confirm your email/i)).toBeUndefined();

    await stack.startWorker();
    const retried = await ops.client.post(`/admin/queues/email/dead/${dead.body.jobs[0]!.id}/retry`);
    expect(retried.status).toBe(202);
    await waitForTokenFor(stack.mailDir(), 'bounced@example.com', /confirm your email/i);
    expect((await ops.client.get<{ jobs: unknown[] }>('/admin/queues/email/dead')).body.jobs).toEqual([]);
  });
});
