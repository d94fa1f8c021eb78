import { ChannelRouter } from '@rnh/redis-client';
import { metricValue, useRedis, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { Presence, type PresenceChange, RealtimeConnectionLimitError } from '../src/index.js';
import { client, connections, instance, recordingSink, testKeys } from './helpers.js';

const redis = useRedis();
const WAIT = { timeoutMs: 20_000 };

/**
 * Everything published on an organization's presence channel, as `user:online|offline`
 * (subscribed as the package listens: SSUBSCRIBE on a Cluster, where presence is SPUBLISHed).
 */
async function watchPresence(presence: Presence, orgId: string): Promise<string[]> {
  const router = new ChannelRouter(connections(redis).subscriber);
  redis.cleanup.push(() => router.close());
  const seen: string[] = [];
  await router.subscribe(presence.channelOf(orgId), (text) => {
    const change = JSON.parse(text) as PresenceChange;
    seen.push(`${change.userId}:${change.online ? 'online' : 'offline'}`);
  });
  return seen;
}

describe('presence', () => {
  it('counts a user online while any of their connections is, per organization too, and announces each change once', async () => {
    const { presence, registry } = instance(redis, testKeys());
    const seen = await watchPresence(presence, 'org-1');

    expect(await presence.connect('ada', 'phone', ['org-1'])).toEqual({ accepted: true, cameOnline: true });
    expect(await presence.connect('ada', 'laptop', ['org-1'])).toEqual({ accepted: true, cameOnline: false });
    await presence.connect('grace', 'c1', ['org-2']);
    expect(await presence.isOnline('ada')).toBe(true);
    expect(await presence.onlineCount()).toBe(2);
    expect(await presence.onlineCount('org-1')).toBe(1);
    expect(await presence.onlineCount('org-2')).toBe(1);
    expect(await metricValue(registry, 'realtime_online_users')).toBe(2);

    expect(await presence.disconnect('ada', 'phone')).toBe(false);
    expect(await presence.isOnline('ada')).toBe(true);
    expect(await presence.disconnect('ada', 'laptop')).toBe(true);
    expect(await presence.isOnline('ada')).toBe(false);
    expect(await presence.onlineCount('org-1')).toBe(0);
    await waitFor(() => seen.length === 2, WAIT);
    expect(seen).toEqual(['ada:online', 'ada:offline']);
  });

  it('lists the users online page by page', async () => {
    const { presence } = instance(redis, testKeys());
    const users = Array.from({ length: 25 }, (_, i) => `user-${i}`);
    for (const user of users) await presence.connect(user, 'c', ['org-1']);
    const pages: string[][] = [];
    for (let offset = 0; offset < 30; offset += 10)
      pages.push(await presence.listOnline({ orgId: 'org-1', offset, limit: 10 }));
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat().sort()).toEqual([...users].sort());
  });

  it('refuses a connection past the per-user limit, counted across instances', async () => {
    const keys = testKeys();
    const one = instance(redis, keys, { presence: { maxConnectionsPerUser: 2 } });
    const two = instance(redis, keys, { presence: { maxConnectionsPerUser: 2 } });
    await (await one.hub.admit({ userId: 'ada' })).open(recordingSink().sink);
    const second = await (await two.hub.admit({ userId: 'ada' })).open(recordingSink().sink);
    await expect(one.hub.admit({ userId: 'ada' })).rejects.toBeInstanceOf(RealtimeConnectionLimitError);
    await second.close();
    await expect(one.hub.admit({ userId: 'ada' })).resolves.toBeDefined();
  });

  it('takes the users of a process that stopped renewing offline after the TTL, and announces it', async () => {
    const keys = testKeys();
    const dead = new Presence({ redis: client(redis), keys }, { ttlMs: 1500 });
    const seen = await watchPresence(dead, 'org-1');
    await dead.connect('ada', 'c1', ['org-1']);
    expect(await dead.isOnline('ada')).toBe(true);
    // Nothing renews ada's connection now, as when her process is SIGKILLed.
    await waitFor(async () => !(await dead.isOnline('ada')), WAIT);
    expect(await dead.onlineCount('org-1')).toBe(0);

    const survivor = instance(redis, keys, {
      presence: { ttlMs: 1500 },
      heartbeatIntervalMs: 500,
      sweepIntervalMs: 200,
    });
    await (await survivor.hub.admit({ userId: 'grace', orgIds: ['org-1'] })).open(recordingSink().sink);
    await waitFor(() => seen.includes('ada:offline'), WAIT);
    expect(seen.filter((change) => change.startsWith('ada:'))).toEqual(['ada:online', 'ada:offline']);
  });

  it('keeps a user online as long as the hub renews their connection', async () => {
    const app = instance(redis, testKeys(), {
      presence: { ttlMs: 3000 },
      heartbeatIntervalMs: 300,
      sweepIntervalMs: 300,
    });
    await (await app.hub.admit({ userId: 'ada' })).open(recordingSink().sink);
    // Several TTLs: without the heartbeat's renewals she would be gone.
    for (let i = 0; i < 8; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await app.presence.isOnline('ada')).toBe(true);
    }
  });

  it('delivers an organization’s presence changes to its members’ connections', async () => {
    const app = instance(redis, testKeys());
    const grace = recordingSink();
    await (await app.hub.admit({ userId: 'grace', orgIds: ['org-1'] })).open(grace.sink);
    const ada = await (await app.hub.admit({ userId: 'ada', orgIds: ['org-1'] })).open(recordingSink().sink);
    await ada.close();
    const changes = () =>
      grace.received.filter((delivery) => delivery.kind === 'channel').map((delivery) => delivery.data);
    await waitFor(() => changes().length === 2, WAIT);
    expect(changes()).toEqual([
      { orgId: 'org-1', userId: 'ada', online: true },
      { orgId: 'org-1', userId: 'ada', online: false },
    ]);
  });
});
