// Redis Cluster under api load: 3 masters with a replica each; the api and the worker connect to
// the cluster. While users sign up (each sign-up enqueues a verification mail), sign in and read
// their profile, the master that holds the mail queue is killed (SIGKILL) and its replica takes
// over. The test prints what users saw per second and checks that the cache, the limiter,
// sessions, the queue and live events kept working, and that no acknowledged job was lost.
import { openSse, startRedisCluster, waitFor, type RedisClusterHandle } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../support/api-stack.js';
import { HttpClient } from '../support/http-client.js';
import { deliveryAcrossCrash, describeDelivery, REPLICATION_WINDOW_MS } from './delivered-mail.js';
import { FaultLoad } from './fault-load.js';
import { startFaultStack, type FaultStack } from './fault-stack.js';

/** How long after a master's crash requests may still fail; docs/operations.md states it for users. */
const RECOVERY_BOUND_MS = 30_000;
const LOAD_AFTER_FAULT_MS = 15_000;
const WAIT = { timeoutMs: 60_000 };

let cluster: RedisClusterHandle;
let stack: FaultStack;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  stack = await startFaultStack('cluster-failover', {
    REDIS_CLUSTER_NODES: cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(','),
  });
});

afterAll(async () => {
  await stack?.stop();
  await cluster?.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The port of the master holding the email queue's keys (they share one hash tag, so one slot). */
async function emailQueueMaster(prefix: string): Promise<number> {
  for (const [index, admin] of cluster.admins.entries()) {
    const [, keys] = await admin.scan('0', 'MATCH', `${prefix}*email*`, 'COUNT', 10_000);
    if (keys.length > 0) return cluster.servers[index]!.port;
  }
  throw new Error('no master holds the email queue yet');
}

describe('a Redis Cluster master crashes while the api serves users', () => {
  it(
    'its replica takes over; cache, limiter, sessions, queue and live events keep working, no job is lost',
    { timeout: 600_000 },
    async () => {
      const api = stack.apis[0]!;
      // A live-events client, connected across the fault as a browser tab would be.
      const sender = new HttpClient(api.url);
      const receiver = new HttpClient(api.url);
      await signUp(sender, {
        email: 'sender@example.com',
        password: 'correct horse battery',
        displayName: 'S',
      });
      await signUp(receiver, {
        email: 'receiver@example.com',
        password: 'correct horse battery',
        displayName: 'R',
      });
      const orgOf = async (client: HttpClient, name: string) =>
        (await client.post<{ organization: { id: string } }>('/orgs', { name, description: '' })).body
          .organization.id;
      const from = await orgOf(sender, 'Sender Org');
      const to = await orgOf(receiver, 'Receiver Org');
      const stream = await openSse(`${api.url}/events`, { cookie: `sid=${receiver.cookie('sid')}` });
      await waitFor(() => stream.frames.some((frame) => frame.event === 'ready'), WAIT);

      const load = new FaultLoad({ baseUrl: api.url });
      await sleep(8_000);
      const before = load.signedIn.slice();
      const port = await emailQueueMaster(stack.env.REDIS_KEY_PREFIX!);
      const crashStarted = load.mark(`master :${port} SIGKILL (holds the email queue)`);
      const crashed = await cluster.killMaster({ port });
      const [firstSlot] = crashed.slots[0]!;
      await cluster.waitForTopology({ slot: firstSlot, notPort: port });
      load.mark('replica promoted');
      await sleep(LOAD_AFTER_FAULT_MS);
      const quietFrom = Date.now() - 5_000;
      await load.stop();

      // A referral made after the fault reaches the receiver's open stream.
      const referred = await sender.post(`/orgs/${from}/referrals`, {
        toOrganizationId: to,
        candidateName: 'Grace Hopper',
        candidateEmail: 'candidate@example.com',
      });
      const liveNotification = await waitFor(
        () => stream.frames.find((frame) => frame.event === 'notification'),
        WAIT,
      ).catch(() => undefined);
      stream.close();

      // Sessions made well before the crash must survive it; those within the replication window may not.
      const settled = before.filter(({ at }) => at < crashStarted - REPLICATION_WINDOW_MS);
      const sessionsAfter = await Promise.all(settled.map((user) => load.me(user)));
      const delivery = await deliveryAcrossCrash(stack.mailDir, load.acknowledged, crashStarted);
      const errorWindow = load.errorWindow(crashStarted);
      console.log(
        [
          'Redis Cluster master crash under load (3 masters, 1 replica each; api and worker on the cluster)',
          ...load.report(),
          `error window: ${errorWindow} ms after the master's SIGKILL`,
          `sessions made over ${REPLICATION_WINDOW_MS} ms before the crash still valid after it: ${sessionsAfter.filter((status) => status === 200).length}/${settled.length}`,
          describeDelivery(delivery),
          `live event after the crash: referral ${referred.status}, notification ${liveNotification ? 'delivered' : 'NOT delivered'} on the open stream`,
        ].join('\n'),
      );

      expect(settled.length).toBeGreaterThan(0);
      expect(delivery.lost).toEqual([]);
      expect(sessionsAfter.every((status) => status === 200)).toBe(true);
      expect(errorWindow).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
      expect(load.failuresSince(quietFrom)).toBe(0);
      expect(load.signedIn.length).toBeGreaterThan(before.length);
      expect(referred.status).toBe(201);
      expect(liveNotification).toBeDefined();
    },
  );
});
