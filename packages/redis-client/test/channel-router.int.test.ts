import { useRedisServer, waitFor } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ChannelRouter } from '../src/index.js';

const redis = useRedisServer();
const WAIT = { timeoutMs: 20_000 };

function subscriberConnection(): Redis {
  const connection = new Redis(redis.server.url, { retryStrategy: () => 100 });
  connection.on('error', () => undefined);
  redis.cleanup.push(() => void connection.disconnect());
  return connection;
}

const subscribersOf = async (channel: string) =>
  Number(((await redis.admin.pubsub('NUMSUB', channel)) as [string, number])[1]);

describe('ChannelRouter', () => {
  it('routes each message to the handlers of its channel or pattern only, on one connection', async () => {
    const router = new ChannelRouter(subscriberConnection());
    const seen: string[] = [];
    await router.subscribe('router:a', (text) => seen.push(`a1:${text}`));
    await router.subscribe('router:a', (text) => seen.push(`a2:${text}`));
    await router.subscribe('router:b', (text) => seen.push(`b:${text}`));
    await router.psubscribe('router:p:*', (text, channel) => seen.push(`p:${channel}:${text}`));
    await redis.admin.publish('router:a', 'x');
    await redis.admin.publish('router:b', 'y');
    await redis.admin.publish('router:p:7', 'z');
    await redis.admin.publish('router:c', 'nobody');
    await waitFor(() => seen.length === 4, WAIT);
    expect(seen).toEqual(['a1:x', 'a2:x', 'b:y', 'p:router:p:7:z']);
    expect(router.size).toBe(3);
    await router.close();
  });

  it('unsubscribes a channel when its last handler leaves, and not before', async () => {
    const router = new ChannelRouter(subscriberConnection());
    const leaveFirst = await router.subscribe('router:leave', () => undefined);
    const leaveSecond = await router.subscribe('router:leave', () => undefined);
    expect(await subscribersOf('router:leave')).toBe(1);
    leaveFirst();
    expect(await subscribersOf('router:leave')).toBe(1);
    leaveSecond();
    await waitFor(async () => (await subscribersOf('router:leave')) === 0, WAIT);
    expect(router.size).toBe(0);
  });

  it('says when its connection drops, and after the reconnect calls its listeners once every channel is subscribed again', async () => {
    const router = new ChannelRouter(subscriberConnection());
    const seen: string[] = [];
    await router.subscribe('router:again', (text) => seen.push(text));
    const order: string[] = [];
    let resubscribed = 0;
    router.onDisconnected(() => order.push('disconnected'));
    router.onResubscribed(() => {
      order.push('resubscribed');
      resubscribed += 1;
    });
    await redis.admin.client('KILL', 'TYPE', 'pubsub');
    await waitFor(() => resubscribed === 1, WAIT);
    // Told of the drop first, once: a user that replays a durable copy holds live messages from then on.
    expect(order).toEqual(['disconnected', 'resubscribed']);
    // When the listener runs, a message published now is received: nothing is lost from here on.
    await redis.admin.publish('router:again', 'after');
    await waitFor(() => seen.length === 1, WAIT);
    expect(seen).toEqual(['after']);
    await router.close();
  });
});
