import type { RedisClient, RedisPackageDeps } from '@rnh/redis-client';

/**
 * What validates an event's data: a zod schema, or anything else with the same `safeParse`.
 * Kept structural so the package does not pin a zod version.
 */
export interface EventSchema<T = unknown> {
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: unknown };
}

/** The event types a feed carries, each with the schema of its data. */
export type EventSchemas = Record<string, EventSchema>;

export type EventData<S extends EventSchemas, K extends keyof S> =
  S[K] extends EventSchema<infer T> ? T : never;

/** One event of a user's feed, as delivered to their clients. */
export type FeedEvent<S extends EventSchemas = EventSchemas> = {
  [K in keyof S & string]: {
    /** The Redis stream id: increasing within the user's feed; the client's resume cursor. */
    id: string;
    type: K;
    data: EventData<S, K>;
    /** When Redis stored it (milliseconds since the epoch, Redis's clock). */
    publishedAt: number;
  };
}[keyof S & string];

/** Everything a connection receives, in order. */
export type Delivery<S extends EventSchemas = EventSchemas> =
  /** The connection is live; `cursor` is where a reconnect resumes from (also sent as the SSE id). */
  | { kind: 'ready'; cursor: string }
  /** An event of the user's feed; `replayed` when it was missed while away and sent on resume. */
  | { kind: 'event'; event: FeedEvent<S>; replayed: boolean }
  /** Events after the client's cursor were trimmed from the feed: reload state, then go on. */
  | { kind: 'reset'; cursor: string }
  /** A message on a channel the connection follows (e.g. presence of an organization's members). */
  | { kind: 'channel'; channel: string; data: unknown }
  /** The server is shutting down: reconnect (to another instance), resuming from your cursor. */
  | { kind: 'reconnect' };

/** The dependencies of the real-time classes: the contract of every package here, plus a subscriber. */
export interface RealtimeDeps extends RedisPackageDeps {
  /**
   * A connection for SUBSCRIBE (one in subscriber mode can send nothing else); it may be
   * shared with other subscribers. Never closed by the package.
   */
  subscriber: RedisClient;
}
