import { publishTo } from '@rnh/redis-client';
import { itOnStandalone, masterClients, metricValue, useRedis, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { RealtimeEventError, RealtimeUnavailableError } from '../src/index.js';
import { instance, recordingSink, testKeys } from './helpers.js';

const redis = useRedis();
const WAIT = { timeoutMs: 20_000 };

describe('a user’s feed', () => {
  it('delivers `ready`, then each event published for the user, in order, and nothing of other users', async () => {
    const app = instance(redis, testKeys());
    const client = recordingSink();
    await (await app.hub.admit({ userId: 'ada' })).open(client.sink);
    expect(client.received[0]).toMatchObject({ kind: 'ready' });

    await app.feed.publish('ada', 'notification', { text: 'one' });
    await app.feed.publish('grace', 'notification', { text: 'not for ada' });
    await app.feed.publish('ada', 'referral.status', { referralId: 'r1', status: 'accepted' });
    await waitFor(() => client.events().length === 2, WAIT);
    expect(client.events()).toEqual(['notification:one', 'referral.status:accepted']);
    expect(
      await metricValue(app.registry, 'realtime_events_delivered_total', {
        type: 'notification',
        transport: 'sse',
      }),
    ).toBe(1);
    expect(await metricValue(app.registry, 'realtime_delivery_lag_seconds', { transport: 'sse' })).toBe(2);
  });

  it('replays exactly what a client missed after its cursor, then goes on live without gap or duplicate', async () => {
    const app = instance(redis, testKeys(), { feed: { replayPageSize: 7 } });
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1)
      ids.push(await app.feed.publish('ada', 'notification', { text: `e${i}` }));

    // Publishing goes on while the client reconnects: it must see each event after e4 once, in order.
    const publishing = (async () => {
      for (let i = 20; i < 60; i += 1) await app.feed.publish('ada', 'notification', { text: `e${i}` });
    })();
    const client = recordingSink();
    await (await app.hub.admit({ userId: 'ada', after: ids[4] })).open(client.sink);
    await publishing;
    const expected = Array.from({ length: 55 }, (_, i) => `notification:e${i + 5}`);
    await waitFor(() => client.events().length >= 55, WAIT);
    expect(client.events()).toEqual(expected);
    const replayed = client.received.filter((delivery) => delivery.kind === 'event' && delivery.replayed);
    expect(replayed.length).toBeGreaterThanOrEqual(15);
    const ready = client.received.findIndex((delivery) => delivery.kind === 'ready');
    expect(ready, '`ready` comes after the replay').toBe(replayed.length);
  });

  it('tells a client whose missed events were trimmed away to reset, then goes on from what is left', async () => {
    const app = instance(redis, testKeys(), { feed: { maxLength: 10 } });
    const first = await app.feed.publish('ada', 'notification', { text: 'e0' });
    // MAXLEN ~ trims whole stream nodes (100 entries): publish well past one.
    for (let i = 1; i < 350; i += 1) await app.feed.publish('ada', 'notification', { text: `e${i}` });
    const client = recordingSink();
    await (await app.hub.admit({ userId: 'ada', after: first })).open(client.sink);
    expect(client.received[0]).toMatchObject({ kind: 'reset' });
    const events = client.events();
    expect(events.length).toBeLessThan(349);
    expect(events.at(-1)).toBe('notification:e349');
    const numbers = events.map((event) => Number(event.slice('notification:e'.length)));
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
  });

  it('catches up on what was published while its subscriber connection was down', async () => {
    const app = instance(redis, testKeys());
    const client = recordingSink();
    await (await app.hub.admit({ userId: 'ada' })).open(client.sink);
    await app.feed.publish('ada', 'notification', { text: 'before' });
    await waitFor(() => client.events().length === 1, WAIT);

    // The subscriber is cut off (on every master of a Cluster, each holding shard channels);
    // pub/sub drops what is published until it is back.
    for (const master of masterClients(redis)) await master.client('KILL', 'TYPE', 'pubsub');
    for (let i = 0; i < 5; i += 1) await app.feed.publish('ada', 'notification', { text: `while-${i}` });
    await waitFor(() => client.events().length === 6, WAIT);
    await app.feed.publish('ada', 'notification', { text: 'after' });
    await waitFor(() => client.events().length === 7, WAIT);
    expect(client.events()).toEqual([
      'notification:before',
      ...Array.from({ length: 5 }, (_, i) => `notification:while-${i}`),
      'notification:after',
    ]);
  });

  it('drops a received event whose data does not match its schema, and counts it once per process', async () => {
    const app = instance(redis, testKeys());
    const clients = [recordingSink(), recordingSink()];
    for (const client of clients) await (await app.hub.admit({ userId: 'ada' })).open(client.sink);
    // Anyone who can PUBLISH (SPUBLISH on a Cluster) could send this; it never reaches a client.
    await publishTo(redis.admin, app.feed.channelOf('ada'), '1-1\nnotification\n\n{"text":42}');
    await app.feed.publish('ada', 'notification', { text: 'valid' });
    await waitFor(() => clients.every((client) => client.events().length === 1), WAIT);
    for (const client of clients) expect(client.events()).toEqual(['notification:valid']);
    expect(await metricValue(app.registry, 'realtime_invalid_events_total', { type: 'notification' })).toBe(
      1,
    );
  });

  it('refuses to publish an unknown type or data its schema rejects', async () => {
    const app = instance(redis, testKeys());
    // @ts-expect-error an undeclared type
    await expect(app.feed.publish('ada', 'nope', {})).rejects.toBeInstanceOf(RealtimeEventError);
    // @ts-expect-error data of the wrong shape
    await expect(app.feed.publish('ada', 'notification', { text: 1 })).rejects.toBeInstanceOf(
      RealtimeEventError,
    );
    await expect(app.feed.publish('a{b}', 'notification', { text: 'x' })).rejects.toThrow(/userId/);
  });

  itOnStandalone('reports a Redis that does not answer as unavailable', async () => {
    const app = instance(redis, testKeys(), { feed: { operationTimeoutMs: 500 } });
    redis.server.freeze();
    try {
      await expect(app.feed.publish('ada', 'notification', { text: 'x' })).rejects.toBeInstanceOf(
        RealtimeUnavailableError,
      );
    } finally {
      redis.server.thaw();
    }
  });

  it('reaches a client connected to another instance', async () => {
    const keys = testKeys();
    const publisher = instance(redis, keys);
    const other = instance(redis, keys);
    const client = recordingSink('websocket');
    await (await other.hub.admit({ userId: 'ada' })).open(client.sink);
    await publisher.feed.publish('ada', 'notification', { text: 'across' });
    await waitFor(() => client.events().length === 1, WAIT);
    expect(client.events()).toEqual(['notification:across']);
  });
});
