// The outbox's claims on both drivers: oldest first, one event of each aggregate at a time (so an
// aggregate's events are relayed in order), an event held by one relay invisible to another until
// released or its lease runs out, and the backlog as the metrics report it.
import { beforeAll, describe, expect, it } from 'vitest';
import { OutboxRepository, type NewOutboxEvent } from '../../src/outbox/outbox-repository.js';
import { drivers, useDriverDatabase } from './support/drivers.js';

const event = (aggregate: string, step: string): NewOutboxEvent => ({
  aggregate,
  queue: 'network',
  job: 'referral_event',
  payload: { aggregate, step },
  idempotencyKey: `${aggregate}:${step}`,
});
const steps = (events: Array<{ payload: unknown }>) =>
  events.map((claimed) => {
    const { aggregate, step } = claimed.payload as { aggregate: string; step: string };
    return `${aggregate}:${step}`;
  });

describe.each(drivers)('the outbox on %s', (_kind, makeDriver) => {
  const opened = useDriverDatabase(makeDriver);
  let outbox: OutboxRepository;
  beforeAll(() => {
    outbox = new OutboxRepository(opened.database.db);
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

    for (const claimed of first) await outbox.markSent(claimed.id);
    const second = await outbox.claim(10, 60_000);
    expect(steps(second)).toEqual(['a:accepted']);

    // A failed send gives the event back at once, with what went wrong.
    await outbox.release([second[0]!.id], { id: second[0]!.id, error: 'Connection is closed.' });
    const again = await outbox.claim(10, 60_000);
    expect(steps(again)).toEqual(['a:accepted']);
    expect(again[0]!.attempts).toBe(1);
    await outbox.markSent(again[0]!.id);
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
