// @rnh/realtime on a real 3-master Redis Cluster: events and presence go by SPUBLISH and
// SSUBSCRIBE (shard channels), each instance on Cluster clients of its own.
// Run on its own: pnpm exec vitest run test/cluster.int.test.ts
import { uniquePrefix, useRedisCluster, waitFor } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  EventFeed,
  Presence,
  RealtimeArgumentError,
  RealtimeChannels,
  RealtimeHub,
  type PresenceChange,
} from '../src/index.js';
import { EVENTS, type Events, recordingSink } from './helpers.js';

const WAIT = { timeoutMs: 30_000 };
const testCluster = useRedisCluster(3);
const cleanup = testCluster.cleanup;
const clusterClient = () => testCluster.client();

/** One process's worth of the package on Cluster clients of its own (commands, subscriber). */
function instance(keys: string) {
  const deps = { redis: clusterClient(), subscriber: clusterClient(), keys };
  const feed = new EventFeed<Events>(deps, { events: EVENTS, replayPageSize: 7 });
  const presence = new Presence(deps);
  const hub = new RealtimeHub(deps, { feed, presence });
  cleanup.push(() => hub.drain());
  return { ...deps, feed, presence, hub };
}

/** Which master (index into testCluster.cluster.admins) holds `key`. */
async function masterOf(key: string): Promise<number> {
  const slot = Number(await testCluster.cluster.admins[0]!.call('CLUSTER', 'KEYSLOT', key));
  const ids = await Promise.all(testCluster.cluster.admins.map((admin) => admin.call('CLUSTER', 'MYID')));
  const shards = (await testCluster.cluster.admins[0]!.call('CLUSTER', 'SLOTS')) as Array<
    [number, number, [string, number, string]]
  >;
  const owner = shards.find(([first, last]) => slot >= first && slot <= last)!;
  return ids.indexOf(owner[2][2]);
}

/** One user per master: their feeds (and feed channels) are on three different shards. */
async function userOnEachMaster(feed: EventFeed<Events>): Promise<string[]> {
  const users: string[] = [];
  for (let n = 0; users.length < 3; n++) {
    const user = `user-${n}`;
    if ((await masterOf(feed.feedKey(user))) === users.length) users.push(user);
  }
  return users;
}

describe('@rnh/realtime on Redis Cluster (3 masters)', () => {
  it('delivers events of users on every shard, published through another instance’s Cluster client', async () => {
    const keys = uniquePrefix('rtc');
    const publisher = instance(keys);
    const server = instance(keys);
    const users = await userOnEachMaster(publisher.feed);
    const clients = users.map(() => recordingSink('websocket'));
    for (const [index, user] of users.entries())
      await (await server.hub.admit({ userId: user })).open(clients[index]!.sink);

    for (const user of users) await publisher.feed.publish(user, 'notification', { text: `for ${user}` });
    await waitFor(() => clients.every((client) => client.events().length === 1), WAIT);
    expect(clients.map((client) => client.events())).toEqual(
      users.map((user) => [`notification:for ${user}`]),
    );
    // Each feed is on its own master: the script that appends and announces ran there.
    for (const [index, user] of users.entries()) {
      expect(await testCluster.cluster.admins[index]!.exists(publisher.feed.feedKey(user))).toBe(1);
    }

    // A broadcast from one instance reaches the other's clients too.
    expect(await publisher.hub.broadcast('announcement', { text: 'to all' })).toBe(1);
    await waitFor(() => clients.every((client) => client.received.some((d) => d.kind === 'channel')), WAIT);
    for (const client of clients) {
      expect(client.received.at(-1)).toEqual({
        kind: 'channel',
        channel: 'announcement',
        data: { text: 'to all' },
      });
    }
  });

  it('replays what a resuming client missed from the stream, then continues live without gap or duplicate', async () => {
    const keys = uniquePrefix('rtc');
    const publisher = instance(keys);
    const server = instance(keys);
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1)
      ids.push(await publisher.feed.publish('ada', 'notification', { text: `e${i}` }));

    // Publishing goes on while the client reconnects: it must see each event after e4 once, in order.
    const publishing = (async () => {
      for (let i = 20; i < 60; i += 1) await publisher.feed.publish('ada', 'notification', { text: `e${i}` });
    })();
    const client = recordingSink();
    await (await server.hub.admit({ userId: 'ada', after: ids[4] })).open(client.sink);
    await publishing;
    await waitFor(() => client.events().length >= 55, WAIT);
    expect(client.events()).toEqual(Array.from({ length: 55 }, (_, i) => `notification:e${i + 5}`));
    const replayed = client.received.filter((delivery) => delivery.kind === 'event' && delivery.replayed);
    expect(replayed.length).toBeGreaterThanOrEqual(15);
  });

  it('catches up on what was published while the subscriber connection to the feed’s shard was down', async () => {
    const keys = uniquePrefix('rtc');
    const publisher = instance(keys);
    const server = instance(keys);
    const client = recordingSink();
    await (await server.hub.admit({ userId: 'ada' })).open(client.sink);
    const shard = testCluster.cluster.admins[await masterOf(publisher.feed.feedKey('ada'))]!;

    await shard.client('KILL', 'TYPE', 'pubsub');
    for (let i = 0; i < 5; i += 1)
      await publisher.feed.publish('ada', 'notification', { text: `while-${i}` });
    await waitFor(() => client.events().length === 5, WAIT);
    await publisher.feed.publish('ada', 'notification', { text: 'after' });
    await waitFor(() => client.events().length === 6, WAIT);
    expect(client.events()).toEqual([
      ...Array.from({ length: 5 }, (_, i) => `notification:while-${i}`),
      'notification:after',
    ]);
  });

  it('keeps presence on one shard ({presence}) and announces changes to organization members', async () => {
    const keys = uniquePrefix('rtc');
    const one = instance(keys);
    const two = instance(keys);
    const watcher = recordingSink();
    await (await one.hub.admit({ userId: 'grace', orgIds: ['org-1'] })).open(watcher.sink);

    const ada = await (await two.hub.admit({ userId: 'ada', orgIds: ['org-1'] })).open(recordingSink().sink);
    expect(await one.presence.isOnline('ada')).toBe(true);
    expect(await one.presence.onlineCount('org-1')).toBe(2);
    expect((await one.presence.listOnline({ orgId: 'org-1' })).sort()).toEqual(['ada', 'grace']);
    await ada.close();
    expect(await one.presence.isOnline('ada')).toBe(false);

    const changes = () =>
      watcher.received.flatMap((delivery) => {
        if (delivery.kind !== 'channel' || delivery.channel !== 'presence') return [];
        const change = delivery.data as PresenceChange & { orgId: string };
        return [`${change.orgId}:${change.userId}:${change.online ? 'online' : 'offline'}`];
      });
    await waitFor(() => changes().length === 2, WAIT);
    expect(changes()).toEqual(['org-1:ada:online', 'org-1:ada:offline']);
    const online = `${keys}presence:{presence}:online`;
    expect(await testCluster.cluster.admins[await masterOf(online)]!.exists(online)).toBe(1);
  });

  it('sends typed channel messages by SPUBLISH, and refuses what has no sharded form', async () => {
    // One Cluster for both: its pub/sub runs on connections of their own.
    const redis = clusterClient();
    const deps = { redis, subscriber: redis, keys: uniquePrefix('rtc') };
    const channels = new RealtimeChannels(deps, { channels: { alert: z.object({ level: z.number() }) } });
    cleanup.push(() => channels.close());
    const seen: number[] = [];
    await channels.subscribe('alert', 'org-7', (data) => seen.push(data.level));
    expect(await channels.publish('alert', 'org-7', { level: 3 })).toBe(1);
    await waitFor(() => seen.length === 1, WAIT);
    expect(seen).toEqual([3]);

    await expect(channels.subscribeAll('alert', () => undefined)).rejects.toThrow(RealtimeArgumentError);
    const plain = new Redis(testCluster.cluster.nodes[0]!.port, testCluster.cluster.nodes[0]!.host, {
      lazyConnect: true,
    });
    expect(() => new RealtimeChannels({ ...deps, subscriber: plain }, { channels: {} })).toThrow(
      /both be Redis Cluster clients/,
    );
  });
});
