import type { RedisClient } from '@rnh/redis-client';
import { testConnections } from '@rnh/test-connections';
import { type TopologyRedis, uniquePrefix } from '@rnh/test-utils';
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

/**
 * One process's connections to the test's Redis (`useRedis()`: one server, a Cluster or a
 * Sentinel group), closed after the test. The package builds its keys from `keys`, not from the
 * connections' prefix.
 */
export function connections(redis: TopologyRedis): { commands: RedisClient; subscriber: RedisClient } {
  const opened = testConnections(redis.target);
  redis.cleanup.push(() => opened.close());
  return { commands: opened.shared('commands'), subscriber: opened.shared('subscriber') };
}

/** A client on the test's Redis (a Cluster client on a Cluster), closed after the test. */
export function client(redis: TopologyRedis): RedisClient {
  return connections(redis).commands;
}

export interface Instance {
  redis: RedisClient;
  subscriber: RedisClient;
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
  redis: TopologyRedis,
  keys: string,
  options: {
    feed?: Partial<EventFeedOptions<Events>>;
    presence?: PresenceOptions;
    heartbeatIntervalMs?: number;
    sweepIntervalMs?: number;
  } = {},
): Instance {
  const { commands, subscriber } = connections(redis);
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
