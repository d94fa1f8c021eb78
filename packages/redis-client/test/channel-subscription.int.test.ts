import { once } from 'node:events';
import { startRedisServer, waitFor, type RedisServerHandle } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConnections } from '../src/connection/connections.js';
import { ChannelSubscription } from '../src/pubsub/channel-subscription.js';
import { memoryLogger, optionsFor } from './helpers.js';

let server: RedisServerHandle;

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.destroy();
});

describe('ChannelSubscription', () => {
  it('delivers its own channel only, on a shared subscriber, and says when messages may have been lost', async () => {
    const connections = new RedisConnections({ options: optionsFor(server), logger: memoryLogger().logger });
    const subscriber = connections.shared('subscriber');
    const received: string[] = [];
    const resets: string[] = [];
    const mine = new ChannelSubscription(subscriber, connections.keys.key('mine'), {
      message: (text) => received.push(text),
      reset: (event) => resets.push(event),
    });
    const other = new ChannelSubscription(subscriber, connections.keys.key('other'), {
      message: () => undefined,
      reset: () => undefined,
    });
    try {
      expect(mine.healthy).toBe(false);
      await Promise.all([mine.start(), other.start()]);
      expect(mine.healthy).toBe(true);
      resets.length = 0; // the first connect may have said 'ready' already

      const publisher = connections.shared('commands');
      const delivered = once(subscriber, 'message');
      await publisher.publish(connections.keys.key('other'), 'not for me');
      await publisher.publish(connections.keys.key('mine'), 'hello');
      await delivered;
      await waitFor(() => received.length === 1, { timeoutMs: 5000, what: 'the message on my channel' });
      expect(received).toEqual(['hello']);

      await server.stop();
      await waitFor(() => resets.includes('closed'), { timeoutMs: 5000, what: 'reset on close' });
      expect(mine.healthy).toBe(false);
      await server.restart();
      await waitFor(() => resets.includes('ready') && mine.healthy, {
        timeoutMs: 10_000,
        what: 'reset on ready, healthy again',
      });

      await mine.stop();
      expect(mine.healthy).toBe(false);
    } finally {
      await other.stop();
      await connections.close();
    }
  });
});
