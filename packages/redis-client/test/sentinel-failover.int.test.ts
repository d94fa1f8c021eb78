// Sentinel failover as a client sees it: a master, 2 replicas and 3 Sentinels (quorum 2), real
// processes. The master crashes (SIGKILL) or is failed over on request while the client writes;
// the client must follow the new master, keep the writes that were replicated, resubscribe its
// channels and run its Lua scripts there.
import {
  startRedisSentinelGroup,
  uniquePrefix,
  waitFor,
  type HostPort,
  type RedisSentinelGroupHandle,
} from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { defaultRedisOptions } from '../src/config/defaults.js';
import { RedisConnections } from '../src/connection/connections.js';
import { ChannelRouter } from '../src/pubsub/channel-router.js';
import { ChannelSubscription } from '../src/pubsub/channel-subscription.js';
import { ScriptRegistry } from '../src/scripts/registry.js';
import type { RedisClient } from '../src/types.js';
import {
  failoverReport,
  unreadable,
  watchRole,
  WriteLoop,
  type ReportEvent,
  type WriteRecord,
} from './failover-load.js';
import { memoryLogger } from './helpers.js';

/** A failover on a busy 2-core machine can take 10-20 s; each test has room for several. */
const TEST_TIMEOUT_MS = 120_000;
const WAIT = { timeoutMs: 60_000 };
const REPLICAS = 2;

async function sentinelGroup(): Promise<RedisSentinelGroupHandle> {
  const group = await startRedisSentinelGroup({ replicas: REPLICAS, sentinels: 3, quorum: 2 });
  onTestFinished(() => group.destroy());
  return group;
}

/** RedisConnections through every Sentinel of the group, with a test's quick reconnects. */
async function connectionsTo(group: RedisSentinelGroupHandle): Promise<RedisConnections> {
  const connections = new RedisConnections({
    options: defaultRedisOptions({
      mode: 'sentinel',
      sentinels: group.sentinelAddresses,
      sentinelName: group.masterName,
      keyPrefix: uniquePrefix('sentinel-failover'),
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

/**
 * Writes `SET <key> <id>` then `WAIT <replicas> 1000` on the same connection: a write the old
 * master acknowledged with `replicas === REPLICAS` was on every replica, so whichever one
 * Sentinel promotes has it. (Replication is asynchronous: a write the master took but not every
 * replica got may be lost in a failover by design, as Redis documents; such writes are counted
 * in the report, not asserted.) Elsewhere it waits for one replica fewer: until the old master
 * comes back, the new one has one replica less, and waiting for a replica that is not there
 * would only slow the writers down.
 */
function replicatedWrites(connections: RedisConnections, oldMaster: HostPort): WriteLoop {
  const redis = connections.shared('commands') as Redis;
  const keys = connections.keys.child('write');
  return new WriteLoop(
    (id) => keys.key(id),
    async (key, id) => {
      const replicas = redis.stream?.remotePort === oldMaster.port ? REPLICAS : REPLICAS - 1;
      const replies = await redis.pipeline().set(key, String(id)).wait(replicas, 1000).exec();
      const [setReply, waitReply] = replies ?? [];
      if (setReply?.[0]) throw setReply[0];
      if (waitReply?.[0]) throw waitReply[0];
      return {
        replicas: Number(waitReply?.[1]),
        node: `${redis.stream.remoteAddress}:${redis.stream.remotePort}`,
      };
    },
  );
}

/**
 * Prints the failover report and reads every acknowledged write back. `survivors` are the writes
 * that must be readable: acknowledged by all replicas, or by the new master; `lost` those of them
 * that are not.
 */
async function reportFailover(options: {
  title: string;
  fault: ReportEvent;
  events: ReportEvent[];
  writes: WriteLoop;
  redis: RedisClient;
  newMaster: HostPort;
}): Promise<{ survivors: WriteRecord[]; lost: WriteRecord[] }> {
  const { writes, redis } = options;
  const onNewMaster = (record: WriteRecord) => record.node === address(options.newMaster);
  const survivors = writes.records.filter(
    (record) => record.ok && (record.replicas === REPLICAS || onNewMaster(record)),
  );
  const mustBeReadable = new Set(survivors);
  const others = writes.records.filter((record) => record.ok && !mustBeReadable.has(record));
  const lost = await unreadable(redis, survivors);
  const othersLost = await unreadable(redis, others);
  console.log(
    failoverReport({
      title: options.title,
      fault: options.fault,
      events: options.events,
      records: writes.records,
      onNewMaster,
      extra: [
        `acknowledged by all ${REPLICAS} replicas or by the new master: ${survivors.length}, unreadable after: ${lost.length}`,
        `acknowledged by the old master without all replicas: ${others.length}, unreadable after: ${othersLost.length}`,
      ],
    }),
  );
  return { survivors, lost };
}

describe('Sentinel failover (1 master, 2 replicas, 3 Sentinels)', () => {
  it(
    'after the master is killed, follows the new master and keeps every write all replicas had',
    async () => {
      const group = await sentinelGroup();
      const connections = await connectionsTo(group);
      const redis = connections.shared('commands');
      const oldMaster = await group.master();
      const writes = replicatedWrites(connections, oldMaster);
      onTestFinished(() => writes.stop());
      await writes.acknowledged(100);

      const killedAt = Date.now();
      await group.killMaster();
      const newMaster = await group.waitForNewMaster(oldMaster.port, WAIT);
      const promotedAt = Date.now();
      try {
        // The client finds the new master by itself and writes there.
        await writes.acknowledged(100, { node: address(newMaster), since: killedAt });
      } finally {
        await writes.stop();
      }
      const { lost, survivors } = await reportFailover({
        title: `Sentinel: master ${address(oldMaster)} killed (SIGKILL) while 2 writers SET + WAIT`,
        fault: { label: 'SIGKILL of the master', at: killedAt },
        events: [{ label: `every Sentinel names ${address(newMaster)}`, at: promotedAt }],
        writes,
        redis,
        newMaster,
      });

      expect(lost.map((record) => record.id)).toEqual([]);
      expect(survivors.filter((record) => record.node === address(oldMaster)).length).toBeGreaterThan(0);
      // And it simply works: a write and a read on the new master.
      const key = connections.keys.key('after');
      await redis.set(key, 'on the new master');
      expect(await redis.get(key)).toBe('on the new master');
      expect((await redis.info('server')).includes(`tcp_port:${newMaster.port}`)).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'through SENTINEL FAILOVER, loses no write that all replicas acknowledged and moves to the new master at once',
    async () => {
      const group = await sentinelGroup();
      const connections = await connectionsTo(group);
      const redis = connections.shared('commands');
      const oldMaster = await group.master();
      const writes = replicatedWrites(connections, oldMaster);
      onTestFinished(() => writes.stop());
      await writes.acknowledged(100);
      const oldMasterRole = watchRole(oldMaster);
      onTestFinished(() => oldMasterRole.stop());

      const startedAt = Date.now();
      const newMaster = await group.failover();
      const settledAt = Date.now();
      try {
        await writes.acknowledged(100, { node: address(newMaster), since: startedAt });
      } finally {
        await writes.stop();
      }
      const { lost } = await reportFailover({
        title: `Sentinel: SENTINEL FAILOVER of ${address(oldMaster)} while 2 writers SET + WAIT`,
        fault: { label: 'SENTINEL FAILOVER sent', at: startedAt },
        events: [
          {
            label: `old master ${address(oldMaster)} says it is a replica`,
            at: oldMasterRole.demoted() ?? NaN,
          },
          { label: `group whole again, master ${address(newMaster)}`, at: settledAt },
        ],
        writes,
        redis,
        newMaster,
      });

      expect(lost.map((record) => record.id)).toEqual([]);
      // The client moved when Sentinel announced the new master, while the old one was still a
      // master: Sentinel waits seconds before it demotes a former master, which meanwhile takes
      // writes and drops them when it becomes a replica. (Had the client waited for the demotion
      // to cut its connection, the old master would have been a replica before its first write
      // on the new one.)
      const firstOnNew = writes.records.find((record) => record.ok && record.node === address(newMaster))!;
      expect(oldMasterRole.lastAsMaster()).toBeGreaterThan(firstOnNew.at);
      const key = connections.keys.key('after');
      await redis.set(key, 'on the new master');
      expect(await redis.get(key)).toBe('on the new master');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'after the master is killed, subscribers resubscribe on the new master and a Lua script runs there (NOSCRIPT handled)',
    async () => {
      const group = await sentinelGroup();
      const connections = await connectionsTo(group);
      const redis = connections.shared('commands');
      const subscriber = connections.shared('subscriber');
      const channels = connections.keys.child('channel');

      const router = new ChannelRouter(subscriber);
      onTestFinished(() => router.close());
      const routed: string[] = [];
      await router.subscribe(channels.key('router'), (text) => routed.push(text));
      let resubscribed = 0;
      router.onResubscribed(() => {
        resubscribed += 1;
      });

      const received: string[] = [];
      const resets: string[] = [];
      const subscription = new ChannelSubscription(
        connections.create('subscriber', 'second-subscriber'),
        channels.key('subscription'),
        { message: (text) => received.push(text), reset: (event) => resets.push(event) },
      );
      onTestFinished(() => subscription.stop());
      await subscription.start();

      const scripts = new ScriptRegistry();
      const incrBy = scripts.define({
        name: 'failover-incr-by',
        lua: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
        keys: 1,
      });
      const counter = connections.keys.key('counter');
      expect(await incrBy.run(redis, [counter], [1])).toBe(1);
      // On every replica before the crash, so the new master has the counter.
      expect(await (redis as Redis).wait(REPLICAS, 5000)).toBe(REPLICAS);

      const oldMaster = await group.killMaster();
      const newMaster = await group.waitForNewMaster(oldMaster.port, WAIT);

      // ChannelRouter: once its listeners run, every channel is subscribed again, confirmed by
      // the new master, so one message published now is received.
      await waitFor(() => resubscribed >= 1, WAIT);
      await redis.publish(channels.key('router'), 'after the failover');
      await waitFor(() => routed.includes('after the failover'), WAIT);

      // ChannelSubscription: told that messages may have been lost, then healthy and receiving again.
      await waitFor(() => subscription.healthy && resets.at(-1) === 'ready', WAIT);
      expect(resets).toContain('closed');
      await waitFor(async () => {
        await redis.publish(channels.key('subscription'), 'after the failover');
        return received.includes('after the failover');
      }, WAIT);

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
