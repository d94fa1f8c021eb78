// ChannelSubscription on a real Redis Cluster: classic PUBLISH (copied to every node) heard on a
// connection of the subscription's own, whose drops are reported, and which moves to another
// master when its node crashes and a replica takes over.
import { startRedisCluster, waitFor, type RedisClusterHandle } from '@rnh/test-utils';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ChannelSubscription } from '../src/pubsub/channel-subscription.js';

const WAIT = { timeoutMs: 60_000 };
/** A failover on a busy 2-core machine can take 10-20 s. */
const TEST_TIMEOUT_MS = 120_000;

async function cluster(replicasPerMaster: number): Promise<RedisClusterHandle> {
  const started = await startRedisCluster({ masters: 3, replicasPerMaster });
  onTestFinished(() => started.destroy());
  return started;
}

function clusterClient(handle: RedisClusterHandle): Cluster {
  const client = new Cluster(handle.nodes, { redisOptions: { connectTimeout: 5000 } });
  client.on('error', () => undefined);
  onTestFinished(() => client.disconnect());
  return client;
}

/** A subscription on `channel` and what it was told. */
async function subscribed(subscriber: Cluster, channel: string) {
  const received: string[] = [];
  const resets: string[] = [];
  const subscription = new ChannelSubscription(subscriber, channel, {
    message: (text) => received.push(text),
    reset: (event) => resets.push(event),
  });
  onTestFinished(() => subscription.stop());
  expect(subscription.healthy).toBe(false);
  await subscription.start();
  expect(subscription.healthy).toBe(true);
  resets.length = 0; // the first connect may have said 'ready' already
  return { subscription, received, resets };
}

/** The indexes of the nodes (`admins`) that have a client subscribed to a channel. */
async function nodesWithSubscribers(admins: Redis[]): Promise<number[]> {
  const lists = await Promise.all(
    admins.map((admin) => admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub') as Promise<string>),
  );
  return lists.flatMap((list, index) => (/ sub=[1-9]/.test(list) ? [index] : []));
}

describe('ChannelSubscription on Redis Cluster', () => {
  it('hears PUBLISHes sent to any node, and says when its connection dropped and is back', async () => {
    const handle = await cluster(0);
    const publisher = clusterClient(handle);
    const subscriber = clusterClient(handle);
    const { subscription, received, resets } = await subscribed(subscriber, 'cluster:bus');
    expect(await nodesWithSubscribers(handle.admins)).toHaveLength(1);
    // The subscriber client reports the channel's messages, as for a channel it subscribes itself.
    const reported: string[] = [];
    subscriber.on('message', (channel: string, text: string) => reported.push(`${channel} ${text}`));

    // Every master, whichever one the subscription is on.
    for (const [index, admin] of handle.admins.entries()) await admin.publish('cluster:bus', `from ${index}`);
    await publisher.publish('cluster:other', 'not for it');
    await waitFor(() => received.length === 3, { ...WAIT, what: 'a message from each master' });
    expect(received).toEqual(['from 0', 'from 1', 'from 2']);
    expect(reported).toEqual(['cluster:bus from 0', 'cluster:bus from 1', 'cluster:bus from 2']);

    await Promise.all(handle.admins.map((admin) => admin.client('KILL', 'TYPE', 'pubsub')));
    await waitFor(() => resets.includes('closed'), { ...WAIT, what: 'reset on close' });
    await waitFor(() => resets.at(-1) === 'ready' && subscription.healthy, {
      ...WAIT,
      what: 'reset on ready, healthy again',
    });
    await waitFor(
      async () => {
        await publisher.publish('cluster:bus', 'after');
        return received.includes('after');
      },
      { ...WAIT, what: 'a message after the reconnect' },
    );

    await subscription.stop();
    expect(subscription.healthy).toBe(false);
    await waitFor(async () => (await nodesWithSubscribers(handle.admins)).length === 0, {
      ...WAIT,
      what: 'its connection closed',
    });
  });

  it(
    'after its master crashes, subscribes on a master of the new slot table',
    async () => {
      const handle = await cluster(1);
      const publisher = clusterClient(handle);
      const { subscription, received, resets } = await subscribed(clusterClient(handle), 'cluster:bus');
      const [shard] = await nodesWithSubscribers(handle.admins);
      const oldMaster = handle.servers[shard!]!.port;

      await handle.killMaster({ port: oldMaster });
      await waitFor(() => resets.includes('closed'), { ...WAIT, what: 'reset when its connection broke' });
      await waitFor(() => resets.at(-1) === 'ready' && subscription.healthy, {
        ...WAIT,
        what: 'subscribed on a master',
      });
      // Its connection is on a master now (the old one's replica, or another shard's master).
      const masters = (await handle.topology()).filter((node) => node.role === 'master' && !node.failing);
      expect(masters.map((node) => node.port)).not.toContain(oldMaster);
      const masterAdmins = masters.map((node) => {
        const admin = new Redis({ host: node.host, port: node.port });
        onTestFinished(() => admin.disconnect());
        return admin;
      });
      expect(await nodesWithSubscribers(masterAdmins)).toHaveLength(1);
      await waitFor(
        async () => {
          await publisher.publish('cluster:bus', 'after the failover');
          return received.includes('after the failover');
        },
        { ...WAIT, what: 'a message after the failover' },
      );
    },
    TEST_TIMEOUT_MS,
  );
});
