import { type TestRedis, uniquePrefix } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { z } from 'zod';
import {
  type ClientSink,
  type CloseReason,
  type Delivery,
  EventFeed,
  type EventFeedOptions,
  Presence,
  type PresenceOptions,
  RealtimeHub,
} from '../src/index.js';

export const EVENTS = {
  notification: z.object({ text: z.string() }),
  'referral.status': z.object({ referralId: z.string(), status: z.enum(['accepted', 'declined']) }),
};
export type Events = typeof EVENTS;

/** A client on the test's Redis, closed after the test. */
export function client(redis: TestRedis): Redis {
  const connection = new Redis(redis.server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  connection.on('error', () => undefined);
  redis.cleanup.push(() => void connection.disconnect());
  return connection;
}

export interface Instance {
  redis: Redis;
  subscriber: Redis;
  registry: Registry;
  feed: EventFeed<Events>;
  presence: Presence;
  hub: RealtimeHub<Events>;
  keys: string;
}

/**
 * One process's worth of the package (its own connections and registry) under `keys`: two of
 * them on one Redis are two instances of an app. The hub is drained after the test.
 */
export function instance(
  redis: TestRedis,
  keys: string,
  options: {
    feed?: Partial<EventFeedOptions<Events>>;
    presence?: PresenceOptions;
    heartbeatIntervalMs?: number;
    sweepIntervalMs?: number;
  } = {},
): Instance {
  const commands = client(redis);
  const subscriber = client(redis);
  const registry = new Registry();
  const deps = { redis: commands, subscriber, keys, registry };
  const feed = new EventFeed(deps, { events: EVENTS, ...options.feed });
  const presence = new Presence(deps, options.presence);
  const hub = new RealtimeHub(deps, {
    feed,
    presence,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    sweepIntervalMs: options.sweepIntervalMs,
  });
  redis.cleanup.push(() => hub.drain());
  return { redis: commands, subscriber, registry, feed, presence, hub, keys };
}

export const testKeys = () => uniquePrefix('rt');

/** A client connection that keeps what it receives (and reads everything at once). */
export function recordingSink(transport: 'websocket' | 'sse' = 'sse') {
  const received: Array<Delivery<Events>> = [];
  const closes: CloseReason[] = [];
  const sink: ClientSink<Events> = {
    transport,
    write: (delivery) => {
      received.push(delivery);
      return true;
    },
    ping: () => true,
    close: (reason) => void closes.push(reason),
  };
  return {
    sink,
    received,
    closes,
    /** The events received, as `type:text-or-status` in order. */
    events: () =>
      received.flatMap((delivery) =>
        delivery.kind === 'event'
          ? [
              `${delivery.event.type}:${'text' in delivery.event.data ? delivery.event.data.text : delivery.event.data.status}`,
            ]
          : [],
      ),
  };
}
