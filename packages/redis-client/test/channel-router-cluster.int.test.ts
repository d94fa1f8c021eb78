// ChannelRouter on a real 3-master Redis Cluster: shard channels (SSUBSCRIBE on each slot's
// master), published with SPUBLISH by another client, across a reconnect and a slot move.
import { useRedisCluster, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { ChannelRouter, publishTo, RedisClientError } from '../src/index.js';
import { keySlot } from '../src/pubsub/key-slot.js';

const WAIT = { timeoutMs: 30_000 };
const testCluster = useRedisCluster(3);
const cleanup = testCluster.cleanup;
const clusterClient = () => testCluster.client();

function router(): ChannelRouter {
  const routed = new ChannelRouter(clusterClient());
  cleanup.push(() => routed.close());
  return routed;
}

/** Which master (index into testCluster.cluster.admins) owns `slot`, as the cluster itself says. */
async function masterOf(slot: number): Promise<number> {
  const ids = await Promise.all(testCluster.cluster.admins.map((admin) => admin.call('CLUSTER', 'MYID')));
  const shards = (await testCluster.cluster.admins[0]!.call('CLUSTER', 'SLOTS')) as Array<
    [number, number, [string, number, string]]
  >;
  const owner = shards.find(([first, last]) => slot >= first && slot <= last)!;
  return ids.indexOf(owner[2][2]);
}

/** One channel per master: `<prefix>{tag}` names whose slots land on masters 0, 1 and 2. */
async function channelOnEachMaster(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (let tag = 0; found.length < 3; tag++) {
    const channel = `${prefix}{${tag}}`;
    if ((await masterOf(keySlot(channel))) === found.length) found.push(channel);
  }
  return found;
}

describe('ChannelRouter on Redis Cluster (3 masters)', () => {
  it('computes the slot Redis computes', async () => {
    for (const name of ['rnh:realtime:feed:{ada}', 'plain-channel', 'x{}y', '{presence}:org:7']) {
      expect(keySlot(name)).toBe(
        Number(await testCluster.cluster.admins[0]!.call('CLUSTER', 'KEYSLOT', name)),
      );
    }
  });

  it('receives what another client SPUBLISHes on channels of every master, on that master only', async () => {
    const channels = await channelOnEachMaster('router:spread');
    const routed = router();
    const seen: string[] = [];
    for (const channel of channels)
      await routed.subscribe(channel, (text) => seen.push(`${channel}=${text}`));
    expect(routed.sharded).toBe(true);

    const publisher = clusterClient();
    for (const channel of channels) expect(await publishTo(publisher, channel, 'hello')).toBe(1);
    await waitFor(() => seen.length === 3, WAIT);
    expect(seen.sort()).toEqual(channels.map((channel) => `${channel}=hello`).sort());
    // Each subscription is on its own shard: no other master counts a subscriber for it.
    for (const [index, channel] of channels.entries()) {
      const counts = await Promise.all(
        testCluster.cluster.admins.map(
          async (admin) => ((await admin.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1],
        ),
      );
      expect(counts).toEqual(counts.map((_, master) => (master === index ? 1 : 0)));
    }
  });

  it('refuses a pattern subscription, which has no sharded form', async () => {
    const refused = router().psubscribe('router:pattern:*', () => undefined);
    await expect(refused).rejects.toBeInstanceOf(RedisClientError);
    await expect(refused).rejects.toThrow(/no sharded form/);
  });

  it('says when a shard’s subscriber connection drops, subscribes again and then calls its listeners', async () => {
    const [channel] = await channelOnEachMaster('router:again');
    const routed = router();
    const seen: string[] = [];
    await routed.subscribe(channel!, (text) => seen.push(text));
    let resubscribed = 0;
    let disconnectedFirst = false;
    routed.onDisconnected(() => {
      disconnectedFirst ||= resubscribed === 0;
    });
    routed.onResubscribed(() => {
      resubscribed += 1;
    });
    await testCluster.cluster.admins[0]!.client('KILL', 'TYPE', 'pubsub');
    await waitFor(() => resubscribed >= 1, WAIT);
    // Told of the drop before the resubscription: live messages can be held from then on.
    expect(disconnectedFirst).toBe(true);
    // When the listener runs, a message published now is received: nothing is lost from here on.
    await publishTo(clusterClient(), channel!, 'after');
    await waitFor(() => seen.length === 1, WAIT);
    expect(seen).toEqual(['after']);
  });

  it('follows a channel whose slot moved to another master', async () => {
    const [channel] = await channelOnEachMaster('router:moving');
    const slot = keySlot(channel!);
    const routed = router();
    const seen: string[] = [];
    await routed.subscribe(channel!, (text) => seen.push(text));
    let resubscribed = 0;
    routed.onResubscribed(() => {
      resubscribed += 1;
    });
    const publisher = clusterClient();
    await publishTo(publisher, channel!, 'on master 0');
    await waitFor(() => seen.length === 1, WAIT);

    // Move the (empty) slot from master 0 to master 2; master 0 then drops its subscribers.
    const [from, , to] = testCluster.cluster.admins;
    const [fromId, toId] = await Promise.all([from!.call('CLUSTER', 'MYID'), to!.call('CLUSTER', 'MYID')]);
    await to!.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId as string);
    await from!.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId as string);
    for (const admin of [to!, from!, testCluster.cluster.admins[1]!])
      await admin.call('CLUSTER', 'SETSLOT', slot, 'NODE', toId as string);

    await waitFor(() => resubscribed >= 1, WAIT);
    await waitFor(async () => {
      await publishTo(publisher, channel!, 'on master 2');
      return seen.includes('on master 2');
    }, WAIT);
    expect(await masterOf(slot)).toBe(2);
    expect(seen[0]).toBe('on master 0');
  });
});
