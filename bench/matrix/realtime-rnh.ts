// @rnh/realtime as an app builds it (apps/api's composition/realtime.ts): an event feed, presence
// and the hub on RedisConnections' `commands` and `subscriber` connections, with metrics. The
// realtime cell's server and its publisher build the same, so they share keys and channels.
import { EventFeed, Presence, RealtimeHub, type EventSchemas } from '@rnh/realtime';
import type { RnhApp } from './rnh-app.js';

/** The feed's one event type; the cell only broadcasts, which goes through no schema. */
const EVENTS = {
  notification: { safeParse: (input: unknown) => ({ success: true as const, data: input }) },
} satisfies EventSchemas;

export type BenchEvents = typeof EVENTS;

export function buildRealtime(app: RnhApp): { hub: RealtimeHub<BenchEvents>; presence: Presence } {
  const base = {
    redis: app.connections.shared('commands'),
    keys: app.connections.keys.child('realtime'),
    registry: app.registry,
    logger: app.logger,
  };
  const feed = new EventFeed(base, { events: EVENTS });
  const presence = new Presence(base);
  const hub = new RealtimeHub(
    { ...base, subscriber: app.connections.shared('subscriber') },
    { feed, presence },
  );
  return { hub, presence };
}
