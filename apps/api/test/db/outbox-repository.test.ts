// The outbox's claims on both drivers: oldest first, one event of each aggregate at a time (so an
// aggregate's events are relayed in order), an event held by one relay invisible to another until
// released or its lease runs out, and the backlog as the metrics report it. Then secret payload
// fields: an invite mail's link is stored sealed, reaches the queue opened, and is kept redacted.
import { randomBytes, randomUUID } from 'node:crypto';
import { emailQueue, networkQueue } from '@rnh/jobs';
import { QueueValidationError, Sealer } from '@rnh/queue';
import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOutboxMetrics } from '../../src/outbox/outbox-metrics.js';
import { OutboxPayloads } from '../../src/outbox/outbox-payloads.js';
import { OutboxRelay, type OutboxQueue } from '../../src/outbox/outbox-relay.js';
import { OutboxRepository, type NewOutboxEvent } from '../../src/outbox/outbox-repository.js';
import { captureLogger } from './support/logger.js';
import { drivers, useDriverDatabase } from './support/drivers.js';

const KEY = 'outbox-test-job-secret-key-of-32-characters';
const payloadsWith = (key: string) =>
  new OutboxPayloads(new Sealer(key, { purpose: 'outbox' }), { email: emailQueue, network: networkQueue });

const event = (aggregate: string, step: string): NewOutboxEvent => ({
  aggregate,
  queue: 'network',
  job: 'referral_event',
  payload: { referralId: randomUUID(), event: 'created', actorId: randomUUID() },
  idempotencyKey: `${aggregate}:${step}`,
});
const steps = (events: Array<{ idempotencyKey: string }>) => events.map((claimed) => claimed.idempotencyKey);

describe.each(drivers)('the outbox on %s', (_kind, makeDriver) => {
  const opened = useDriverDatabase(makeDriver);
  let outbox: OutboxRepository;
  beforeAll(() => {
    outbox = new OutboxRepository(opened.database.db, payloadsWith(KEY));
  });

  it('hands out the oldest unsent event of each aggregate, the next once that one is sent, never one twice', async () => {
    await outbox.add(event('a', 'created'));
    await outbox.add(event('b', 'created'));
    await outbox.add(event('a', 'accepted'));
    await outbox.add(event('a', 'completed'));
    expect((await outbox.backlog()).pending).toBe(4);

    const first = await outbox.claim(10, 60_000);
    expect(steps(first)).toEqual(['a:created', 'b:created']);
    // Another relay meanwhile: both are held, and a's next event waits for its first.
    expect(await outbox.claim(10, 60_000)).toEqual([]);

    for (const claimed of first) await outbox.markSent(claimed);
    const second = await outbox.claim(10, 60_000);
    expect(steps(second)).toEqual(['a:accepted']);

    // A failed send gives the event back at once, with what went wrong.
    await outbox.release([second[0]!.id], { id: second[0]!.id, error: 'Connection is closed.' });
    const again = await outbox.claim(10, 60_000);
    expect(steps(again)).toEqual(['a:accepted']);
    expect(again[0]!.attempts).toBe(1);
    await outbox.markSent(again[0]!);
    expect(steps(await outbox.claim(10, 60_000))).toEqual(['a:completed']);
    expect((await outbox.backlog()).pending).toBe(1);
  });

  it('lets another relay take over an event whose lease ran out (its relay died)', async () => {
    await outbox.add(event('c', 'created'));
    const held = await outbox.claim(10, 1);
    expect(steps(held)).toContain('c:created');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(steps(await outbox.claim(10, 60_000))).toContain('c:created');
  });
});

describe.each(drivers)('secret payload fields in the outbox on %s', (_kind, makeDriver) => {
  const opened = useDriverDatabase(makeDriver);
  const queued: Array<{ job: string; payload: unknown; idempotencyKey: string }> = [];
  const queue: OutboxQueue = {
    enqueue: async (job, payload, { idempotencyKey }) => {
      queued.push({ job, payload, idempotencyKey });
      return { id: String(queued.length) };
    },
  };
  let outbox: OutboxRepository;
  let relay: OutboxRelay;
  beforeAll(() => {
    const payloads = payloadsWith(KEY);
    outbox = new OutboxRepository(opened.database.db, payloads);
    relay = new OutboxRelay({
      outbox,
      queues: { email: queue, network: queue },
      payloads,
      metrics: createOutboxMetrics(new Registry(), outbox),
      logger: captureLogger().logger,
    });
  });

  const inviteMail = (inviteId: string, token: string): NewOutboxEvent => ({
    aggregate: `invite:${inviteId}`,
    queue: 'email',
    job: 'invite',
    payload: {
      to: 'carol@example.com',
      inviterName: 'Grace',
      organizationName: 'Invite Co',
      link: `https://app.example.com/invites/accept?token=${token}`,
    },
    idempotencyKey: `invite:${inviteId}:sent`,
  });
  const rawRow = async (idempotencyKey: string) => {
    const row = await opened.database.db
      .selectFrom('outbox')
      .selectAll()
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirstOrThrow();
    return { row, text: JSON.stringify(row) };
  };

  it('stores an invite mail’s link sealed, hands it to the queue opened, and keeps it only redacted once sent', async () => {
    const token = randomBytes(32).toString('base64url');
    const mail = inviteMail(randomUUID(), token);
    await outbox.add(mail);

    const recorded = await rawRow(mail.idempotencyKey);
    expect(recorded.text).not.toContain(token);
    expect(recorded.row.payload).toMatchObject({
      to: 'carol@example.com',
      link: expect.stringMatching(/^sealed:v1:/),
    });

    expect(await relay.relayOnce()).toEqual({ sent: 1, failed: false });
    expect(queued).toEqual([{ job: 'invite', payload: mail.payload, idempotencyKey: mail.idempotencyKey }]);

    const sent = await rawRow(mail.idempotencyKey);
    expect(sent.row.sent_at).not.toBeNull();
    expect(sent.row.payload).toEqual({ ...(mail.payload as object), link: '[redacted]' });
    expect(sent.text).not.toContain('sealed:v1:');
  });

  it('refuses to record a payload its job does not accept, so the write fails instead of the relay', async () => {
    const bad = { ...inviteMail(randomUUID(), 'x'), payload: { to: 'not an address', link: 'nope' } };
    await expect(outbox.add(bad)).rejects.toBeInstanceOf(QueueValidationError);
    await expect(rawRow(bad.idempotencyKey)).rejects.toThrow();
  });

  it('goes on past an event whose link does not open with its key, and keeps that one for an operator', async () => {
    queued.length = 0;
    // Recorded by an instance with another JOB_SECRET_KEY.
    const elsewhere = new OutboxRepository(opened.database.db, payloadsWith(`${KEY}-another`));
    const token = randomBytes(32).toString('base64url');
    const stranded = inviteMail(randomUUID(), token);
    await elsewhere.add(stranded);
    const referral = event(`referral:${randomUUID()}`, 'created');
    await outbox.add(referral);

    expect(await relay.relayOnce()).toEqual({ sent: 1, failed: true });
    expect(queued.map((job) => job.idempotencyKey)).toEqual([referral.idempotencyKey]);
    const kept = await rawRow(stranded.idempotencyKey);
    expect(kept.row).toMatchObject({ sent_at: null, attempts: 1 });
    expect(kept.row.last_error).toMatch(/does not open/);
    expect(kept.text).not.toContain(token);
  });
});
