// Live delivery to signed-in users (GET /events, GET /ws): each user's event feed, presence per
// organization, and the hub of this process's connections. The worker publishes to the same feeds.
import { keyspaces, liveEvents, type LiveEvents } from '@rnh/jobs';
import { EventFeed, Presence, RealtimeHub } from '@rnh/realtime';
import type { RedisConnections } from '@rnh/redis-client';
import type { Logger } from '@rnh/telemetry';
import type { Registry } from 'prom-client';
import type { ApiConfig } from '../config.js';

export interface ApiRealtime {
  feed: EventFeed<LiveEvents>;
  presence: Presence;
  hub: RealtimeHub<LiveEvents>;
}

export function buildRealtime(deps: {
  config: ApiConfig;
  redis: RedisConnections;
  registry: Registry;
  logger: Logger;
}): ApiRealtime {
  const { redis, registry, logger } = deps;
  const base = {
    redis: redis.shared('commands'),
    keys: redis.keys.child(keyspaces.realtime),
    registry,
    logger,
  };
  const feed = new EventFeed(base, { events: liveEvents });
  const { maxConnectionsPerUser, presenceTtlSeconds } = deps.config.realtime;
  const presence = new Presence(base, { maxConnectionsPerUser, ttlMs: presenceTtlSeconds * 1000 });
  // Three heartbeats per TTL: one late or lost renewal does not take a user offline.
  const heartbeatIntervalMs = Math.floor((presenceTtlSeconds * 1000) / 3);
  const hub = new RealtimeHub(
    { ...base, subscriber: redis.shared('subscriber') },
    { feed, presence, heartbeatIntervalMs, sweepIntervalMs: Math.min(5000, heartbeatIntervalMs) },
  );
  return { feed, presence, hub };
}
