// Redis Cluster failover as a client sees it: 3 masters with a replica each, real processes.
// A master crashes (SIGKILL) or hands over (CLUSTER FAILOVER) while the client writes keys of
// every slot; its replica takes over; the client must keep working, keep the writes that were
// replicated, move its shard channels and run its Lua scripts on the new master.
import {
  ownerOfSlot,
  startRedisCluster,
  uniquePrefix,
  waitFor,
  type ClusterNodeView,
  type RedisClusterHandle,
} from '@rnh/test-utils';
import { Redis, type Cluster } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { defaultRedisOptions } from '../src/config/defaults.js';
import { RedisConnections } from '../src/connection/connections.js';
import { ChannelRouter } from '../src/pubsub/channel-router.js';
import { keySlot } from '../src/pubsub/key-slot.js';
import { publishTo } from '../src/pubsub/publish.js';
import { ScriptRegistry } from '../src/scripts/registry.js';
import {
  failoverReport,
  unreadable,
  WriteLoop,
  type ReportEvent,
  type WriteRecord,
} from './failover-load.js';
import { memoryLogger } from './helpers.js';

/** A failover on a busy 2-core machine can take 10-20 s; each test has room for several. */
const TEST_TIMEOUT_MS = 120_000;
const WAIT = { timeoutMs: 60_000 };
/** The shard whose master the tests kill or fail over (any of the 3 would do). */
const SHARD = 1;

async function clusterWithReplicas(): Promise<RedisClusterHandle> {
  const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  onTestFinished(() => cluster.destroy());
  return cluster;
}

/** RedisConnections on the cluster, with a test's quick reconnects. */
async function connectionsTo(cluster: RedisClusterHandle): Promise<RedisConnections> {
  const connections = new RedisConnections({
    options: defaultRedisOptions({
      mode: 'cluster',
      clusterNodes: cluster.nodes,
      keyPrefix: uniquePrefix('cluster-failover'),
      retryDelayMs: 20,
      maxRetryDelayMs: 200,
      connectTimeoutMs: 5000,
    }),
    logger: memoryLogger().logger,
  });
  onTestFinished(() => connections.close());
  await connections.connect();
  return connections;
}

const address = ({ host, port }: { host: string; port: number }) => `${host}:${port}`;

/** The master that serves shard `SHARD` now. */
async function shardMaster(cluster: RedisClusterHandle): Promise<ClusterNodeView> {
  const nodes = await cluster.topology();
  return nodes.find((node) => node.port === cluster.servers[SHARD]!.port)!;
}

const inShard = (shard: ClusterNodeView, key: string) =>
  shard.slots.some(([first, last]) => keySlot(key) >= first && keySlot(key) <= last);

/**
 * Writes `SET <key> <id>` then `WAIT <replicas> 1000` in one pipeline, so both go to the key's
 * master on the same connection: an acknowledged write with `replicas === 1` is on that master's
 * replica, the one that takes over if it fails. (Replication is asynchronous: a write the master
 * took but its replica did not get is lost in a crash by design, as Redis documents; such writes
 * are counted in the report, not asserted.) `replicasFor(key)` is how many replicas the key's
 * master has now: waiting for one that is not there would only slow the writers down. Keys have
 * no hash tag: they spread over all slots.
 */
function replicatedWrites(connections: RedisConnections, replicasFor: (key: string) => number): WriteLoop {
  const redis = connections.shared('commands') as Cluster;
  const keys = connections.keys.child('write');
  return new WriteLoop(
    (id) => keys.key(id),
    async (key, id) => {
      const replies = await redis.pipeline().set(key, String(id)).wait(replicasFor(key), 1000).exec();
      const [setReply, waitReply] = replies ?? [];
      if (setReply?.[0]) throw setReply[0];
      if (waitReply?.[0]) throw waitReply[0];
      // Where the client sent it: its slot table when the reply came.
      return { replicas: Number(waitReply?.[1]), node: redis.slots[keySlot(key)]?.[0] ?? '?' };
    },
  );
}

/** Plain `SET <key> <id>` commands, as an application sends them: ioredis follows MOVED for each. */
function plainWrites(connections: RedisConnections): WriteLoop {
  const redis = connections.shared('commands') as Cluster;
  const keys = connections.keys.child('write');
  return new WriteLoop(
    (id) => keys.key(id),
    async (key, id) => {
      await redis.set(key, String(id));
      return { replicas: 0, node: redis.slots[keySlot(key)]?.[0] ?? '?' };
    },
  );
}

/**
 * Prints the failover report and reads every acknowledged write back: `mustSurvive` decides
 * which writes must be readable; `lost` are those of them that are not.
 */
async function reportFailover(options: {
  title: string;
  fault: ReportEvent;
  events: ReportEvent[];
  writes: WriteLoop;
  redis: Cluster;
  oldMaster: ClusterNodeView;
  newMaster: ClusterNodeView | undefined;
  mustSurvive: (record: WriteRecord) => boolean;
}): Promise<{ survivors: WriteRecord[]; lost: WriteRecord[] }> {
  const { writes, redis, oldMaster } = options;
  const acknowledged = writes.records.filter((record) => record.ok);
  const survivors = acknowledged.filter(options.mustSurvive);
  const mustBeReadable = new Set(survivors);
  const others = acknowledged.filter((record) => !mustBeReadable.has(record));
  const lost = await unreadable(redis, survivors);
  const othersLost = await unreadable(redis, others);
  const onOldShard = acknowledged.filter((record) => inShard(oldMaster, record.key));
  console.log(
    failoverReport({
      title: options.title,
      fault: options.fault,
      events: options.events,
      records: writes.records,
      onNewMaster: (record) => options.newMaster !== undefined && record.node === address(options.newMaster),
      extra: [
        `acknowledged writes in the slots of ${address(oldMaster)}: ${onOldShard.length}`,
        `that had to survive: ${survivors.length}, unreadable after: ${lost.length}`,
        `the others (taken by the old master, not by its replica): ${others.length}, unreadable after: ${othersLost.length}`,
      ],
    }),
  );
  return { survivors, lost };
}

describe('Redis Cluster failover (3 masters, 1 replica each)', () => {
  it(
    'after a master is killed, keeps working through its replica and keeps every replicated write',
    async () => {
      const cluster = await clusterWithReplicas();
      const connections = await connectionsTo(cluster);
      const redis = connections.shared('commands') as Cluster;
      const oldMaster = await shardMaster(cluster);
      // Until the killed master is back (as a replica of the new one), its shard has no replica.
      let shardReplicas = 1;
      const writes = replicatedWrites(connections, (key) => (inShard(oldMaster, key) ? shardReplicas : 1));
      onTestFinished(() => writes.stop());
      await writes.acknowledged(150);

      const killedAt = Date.now();
      shardReplicas = 0;
      await cluster.killMaster({ port: oldMaster.port });
      const events: ReportEvent[] = [];
      let newMaster: ClusterNodeView | undefined;
      try {
        const nodes = await cluster.waitForTopology(
          { slot: oldMaster.slots[0]![0], notPort: oldMaster.port },
          WAIT,
        );
        newMaster = ownerOfSlot(nodes, oldMaster.slots[0]![0])!;
        events.push({ label: `every node names ${address(newMaster)} for the slots`, at: Date.now() });
        // The client finds the new master by itself and writes there.
        await writes.acknowledged(50, { node: address(newMaster), since: killedAt });
        // The crashed master comes back, as a replica of the new one; the client goes on.
        await cluster.restartNode(oldMaster.port);
        shardReplicas = 1;
        const restartedAt = Date.now();
        events.push({ label: `${address(oldMaster)} back, a replica of the new master`, at: restartedAt });
        await writes.acknowledged(150, { since: restartedAt });
      } finally {
        await writes.stop();
      }

      const { survivors, lost } = await reportFailover({
        title: `Cluster: master ${address(oldMaster)} (shard ${SHARD}) killed (SIGKILL) while 2 writers SET + WAIT on all slots`,
        fault: { label: 'SIGKILL of the master', at: killedAt },
        events,
        writes,
        redis,
        oldMaster,
        newMaster,
        // On its master's replica when acknowledged, or taken by a master that never failed.
        mustSurvive: (record) => record.replicas >= 1 || record.node !== address(oldMaster),
      });
      expect(lost.map((record) => record.id)).toEqual([]);
      // Writes in the killed master's slots, replicated before the crash, are among them.
      expect(
        survivors.filter((record) => record.at < killedAt && inShard(oldMaster, record.key)).length,
      ).toBeGreaterThan(0);
      const topology = await cluster.topology();
      expect(topology.find((node) => node.port === oldMaster.port)?.role).toBe('replica');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'through CLUSTER FAILOVER, loses no acknowledged write at all, replicated or not',
    async () => {
      const cluster = await clusterWithReplicas();
      const connections = await connectionsTo(cluster);
      const redis = connections.shared('commands') as Cluster;
      const writes = plainWrites(connections);
      onTestFinished(() => writes.stop());
      await writes.acknowledged(150);

      const oldMaster = await shardMaster(cluster);
      const startedAt = Date.now();
      let newMaster: ClusterNodeView | undefined;
      const events: ReportEvent[] = [];
      try {
        const nodes = await cluster.failover(SHARD);
        newMaster = ownerOfSlot(nodes, oldMaster.slots[0]![0])!;
        events.push({ label: `cluster whole again, ${address(newMaster)} serves the slots`, at: Date.now() });
        await writes.acknowledged(50, { node: address(newMaster), since: startedAt });
      } finally {
        await writes.stop();
      }

      const { lost } = await reportFailover({
        title: `Cluster: CLUSTER FAILOVER of ${address(oldMaster)} (shard ${SHARD}) while 2 writers SET on all slots`,
        fault: { label: 'CLUSTER FAILOVER sent to the replica', at: startedAt },
        events,
        writes,
        redis,
        oldMaster,
        newMaster,
        // A manual failover waits until the replica has every write the master took: even the
        // writes no WAIT confirmed must be there.
        mustSurvive: () => true,
      });
      expect(lost.map((record) => record.id)).toEqual([]);
      expect(newMaster.port).not.toBe(oldMaster.port);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'after a master is killed, its shard channels are subscribed on the new master and a Lua script runs there (NOSCRIPT handled)',
    async () => {
      const cluster = await clusterWithReplicas();
      const connections = await connectionsTo(cluster);
      const redis = connections.shared('commands') as Cluster;
      const oldMaster = await shardMaster(cluster);
      // A hash tag in the killed master's slots, for the channel and the script's key.
      let tag = 0;
      while (!inShard(oldMaster, `{${tag}}`)) tag += 1;
      const channel = connections.keys.key('channel', `{${tag}}`);
      const counter = connections.keys.key('counter', `{${tag}}`);

      const router = new ChannelRouter(connections.shared('subscriber'));
      onTestFinished(() => router.close());
      const received: string[] = [];
      await router.subscribe(channel, (text) => received.push(text));
      let resubscribed = 0;
      router.onResubscribed(() => {
        resubscribed += 1;
      });
      expect(await publishTo(redis, channel, 'before')).toBe(1);
      await waitFor(() => received.includes('before'), WAIT);

      const scripts = new ScriptRegistry();
      const incrBy = scripts.define({
        name: 'failover-incr-by',
        lua: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
        keys: 1,
      });
      expect(await incrBy.run(redis, [counter], [1])).toBe(1);
      // WAIT goes with a command on the counter's key, to its master: the replica has the counter.
      const [, [, replicas]] = (await redis.pipeline().get(counter).wait(1, 5000).exec()) as [
        unknown,
        [Error | null, number],
      ];
      expect(replicas).toBe(1);

      await cluster.killMaster({ port: oldMaster.port });
      const slot = keySlot(counter);
      const nodes = await cluster.waitForTopology({ slot, notPort: oldMaster.port }, WAIT);
      const newMaster = ownerOfSlot(nodes, slot)!;

      // Once the router's listeners run, the channel is subscribed on the new master, confirmed:
      // one message published now is received.
      await waitFor(() => resubscribed >= 1, WAIT);
      expect(await publishTo(redis, channel, 'after the failover')).toBe(1);
      await waitFor(() => received.includes('after the failover'), WAIT);

      // Redis 7 replicates what a script did, not the script: the new master has never seen it,
      // so EVALSHA answers NOSCRIPT there and the script falls back to EVAL once.
      const inspect = new Redis({ host: newMaster.host, port: newMaster.port, lazyConnect: true });
      onTestFinished(() => inspect.disconnect());
      await inspect.connect();
      expect(await inspect.script('EXISTS', incrBy.sha)).toEqual([0]);
      expect(await incrBy.run(redis, [counter], [1])).toBe(2);
      expect(await inspect.script('EXISTS', incrBy.sha)).toEqual([1]);
      expect(await incrBy.run(redis, [counter], [1])).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );
});
