// The operator's queue view as an attacker probes it: registering the admin address before the
// operator does (case and spaces changed) gives nothing until the address is verified, and a dead
// password-reset mail shows no usable token, neither through the admin API nor in Redis itself,
// while the link the user receives still works.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiDir, startWorkerProcess, workerDir } from './support/api-env.js';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient } from './support/http-client.js';
import { startRefusingSmtp } from './support/refusing-smtp.js';
import { waitForTokenFor } from './support/mailbox.js';

const PASSWORD = 'quartz-lantern-meadow-71';
const NEW_PASSWORD = 'violet-harbor-engine-29';

interface ErrorBody {
  error: { code: string; message: string };
}
interface QueuesBody {
  queues: { name: string; counts: Record<string, number> }[];
}
interface DeadBody {
  total: number;
  jobs: { id: string; name: string; reason: string; payload: Record<string, unknown> }[];
}

describe('admin access and the secrets in mail jobs', () => {
  const stack = useApiStack('admin-security', {
    worker: true,
    env: { API_ADMIN_EMAILS: 'ops@example.com', LOG_LEVEL: 'debug' },
  });
  let admin: Redis;
  /** Everything the processes printed, the stopped ones included. */
  const printed: string[] = [];
  let operator: HttpClient;
  const emailKey = (suffix: string) => `${stack.env.REDIS_KEY_PREFIX}queue:{email}:email:${suffix}`;

  beforeAll(() => {
    admin = new Redis({ host: stack.redis.host, port: stack.redis.port });
  });
  afterAll(() => admin?.disconnect());

  it('the admin address gives nothing until it is verified (matched trimmed and lowercased)', async () => {
    operator = new HttpClient(stack.api.url);
    await signUp(operator, { email: '  OPS@Example.COM ', password: PASSWORD, displayName: 'Ops' });

    const refused = await operator.get<ErrorBody>('/admin/queues');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await operator.get<ErrorBody>('/admin/queues/email/dead')).status).toBe(403);

    // Only the owner of the mailbox can follow the link.
    const token = await waitForTokenFor(stack.mailDir(), 'ops@example.com', /confirm your email/i, 30_000);
    expect((await operator.post('/auth/verify-email/confirm', { token })).status).toBe(200);
    const queues = await operator.get<QueuesBody>('/admin/queues');
    expect(queues.status).toBe(200);
    expect(queues.body.queues.map((queue) => queue.name)).toContain('email');
  }, 60_000);

  it('a dead reset mail holds no usable token in the admin API or in Redis; the mailed link works', async () => {
    const victim = new HttpClient(stack.api.url);
    await signUp(victim, { email: 'victim@example.com', password: PASSWORD, displayName: 'Vic' });
    await waitForTokenFor(stack.mailDir(), 'victim@example.com', /confirm your email/i, 30_000);

    // No worker: the reset mail waits in Redis, as it would during a mail outage.
    printed.push(stack.worker.output());
    await stack.worker.stop();
    expect(
      (
        await new HttpClient(stack.api.url).post('/auth/password-reset/request', {
          email: 'victim@example.com',
        })
      ).status,
    ).toBe(202);
    await waitFor(async () => (await admin.llen(emailKey('wait'))) === 1, {
      timeoutMs: 30_000,
      what: 'the reset mail waiting in the email queue',
    });
    const [jobId] = await admin.lrange(emailKey('wait'), 0, -1);
    const waitingJob = await admin.hgetall(emailKey(jobId!));
    expect(waitingJob.name).toBe('password_reset');
    const waitingData = JSON.parse(waitingJob.data!) as { to: string; link: string };
    expect(waitingData.to).toBe('victim@example.com');
    expect(waitingData.link).not.toContain('token=');

    // A worker whose mail server refuses everything for good (554): the job goes dead.
    const refusing = await startRefusingSmtp();
    const strict = await startWorkerProcess({ ...stack.env, SMTP_URL: `smtp://127.0.0.1:${refusing.port}` });
    let dead: DeadBody;
    try {
      await waitFor(
        async () => {
          dead = (await operator.get<DeadBody>('/admin/queues/email/dead')).body;
          return dead.jobs.some((job) => job.name === 'password_reset');
        },
        { timeoutMs: 30_000, what: 'the refused reset mail in the dead letters' },
      );
    } finally {
      printed.push(strict.output());
      await strict.stop();
      refusing.server.close();
    }
    const entry = dead!.jobs.find((job) => job.name === 'password_reset')!;
    expect(entry).toMatchObject({
      reason: 'unrecoverable',
      payload: { to: 'victim@example.com', displayName: 'Vic', link: '[redacted]' },
    });

    // Everything an operator (or anyone who reads Redis) sees of the dead mail.
    const seen = [
      JSON.stringify(dead!),
      JSON.stringify(waitingJob),
      JSON.stringify(await admin.hgetall(emailKey('dead:entries'))),
    ];
    // Whatever looks like a token there does not reset the password.
    const candidates = new Set(
      seen.flatMap((text) => [
        ...[...text.matchAll(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g)].map(
          (match) => match[0],
        ),
        ...[...text.matchAll(/token=([^&"\\\s]+)/g)].map((match) => decodeURIComponent(match[1]!)),
      ]),
    );
    for (const candidate of candidates) {
      const attempt = await new HttpClient(stack.api.url).post<ErrorBody>('/auth/password-reset/confirm', {
        token: candidate,
        newPassword: 'attacker-chosen-password-1',
      });
      expect(attempt.status, candidate).toBe(400);
    }

    // Retried with a working mail transport, the user gets the link; it was never readable above.
    await stack.startWorker();
    expect((await operator.post(`/admin/queues/email/dead/${entry.id}/retry`)).status).toBe(202);
    const token = await waitForTokenFor(
      stack.mailDir(),
      'victim@example.com',
      /reset your password/i,
      30_000,
    );
    for (const text of seen) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(encodeURIComponent(token));
    }
    expect(
      (
        await new HttpClient(stack.api.url).post('/auth/password-reset/confirm', {
          token,
          newPassword: NEW_PASSWORD,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await new HttpClient(stack.api.url).post('/auth/login', {
          email: 'victim@example.com',
          password: NEW_PASSWORD,
        })
      ).status,
    ).toBe(200);
    // Nor in any log line, at debug level.
    for (const output of [...printed, stack.api.output(), stack.worker.output()])
      expect(output).not.toContain(token);
  }, 120_000);

  it('in production, neither the api nor the worker starts without JOB_SECRET_KEY', async () => {
    const production = {
      PATH: process.env.PATH!,
      NODE_ENV: 'production',
      SESSION_SECRET: 'a-production-session-secret-of-32-characters',
      API_DATA_DIR: stack.env.API_DATA_DIR!,
      WORKER_DATA_DIR: stack.env.API_DATA_DIR!,
      REDIS_URL: stack.redis.url,
      OTEL_SDK_DISABLED: 'true',
    };
    for (const cwd of [apiDir, workerDir]) {
      const failed = await promisify(execFile)(process.execPath, ['dist/main.js'], {
        cwd,
        env: production,
        timeout: 20_000, // started after all: killed, and the assertions below say so
      }).catch((error: { code: number; stderr: string }) => error);
      expect(failed, cwd).toMatchObject({ code: 2 });
      expect((failed as { stderr: string }).stderr, cwd).toContain(
        'JOB_SECRET_KEY must be set in production',
      );
    }
  }, 60_000);
});
