/** The real-time package's defaults in one place, each with the reason for its value. */

/** Keys and channels start with `rnh:realtime:` unless the user passes `keys`. */
export const DEFAULT_KEY_PREFIX = 'rnh:realtime:';

/**
 * A user's feed keeps about the last 1,000 events (`XADD MAXLEN ~`): enough for a client
 * that was away for minutes to catch up; older gaps are reported as `reset` instead.
 */
export const DEFAULT_FEED_MAX_LENGTH = 1000;

/** A feed nobody published to for a day is deleted: an idle user costs no memory. */
export const DEFAULT_FEED_RETENTION_MS = 24 * 60 * 60 * 1000;

/** A replay reads the missed events in pages of this size (one XRANGE each). */
export const DEFAULT_REPLAY_PAGE_SIZE = 200;

/**
 * A live connection renews its presence every 10 s and counts as online for 30 s after
 * the last renewal, so a process that dies leaves its users online for at most 30 s,
 * and one slow renewal (a GC pause, a busy event loop) does not flap a user offline.
 */
export const DEFAULT_PRESENCE_TTL_MS = 30_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;

/**
 * Clients are pinged on the same 10 s beat; one that has not answered (WebSocket pong) by the
 * next beat is gone (a dead network does not close TCP by itself) and is dropped.
 */
export const DEFAULT_CLIENT_PING_INTERVAL_MS = 10_000;

/** Five tabs or devices per user, across every instance; the sixth is refused (HTTP 429). */
export const DEFAULT_MAX_CONNECTIONS_PER_USER = 5;

/**
 * A client that has this much unsent data (it does not read) is dropped: 1 MiB is hundreds
 * of notifications, far more than a healthy client ever lags, and bounds memory per client.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

/** Live events that arrive while a connection replays are held; past this many it replays again instead. */
export const DEFAULT_MAX_PENDING_LIVE_EVENTS = 1000;

/** A Redis call that takes longer than this fails (the transport answers 503 or the publisher gets an error). */
export const DEFAULT_OPERATION_TIMEOUT_MS = 2000;

/** The sweep that takes users whose process died off the presence sets runs this often, at most 500 a time. */
export const DEFAULT_PRESENCE_SWEEP_INTERVAL_MS = 5000;
export const DEFAULT_PRESENCE_SWEEP_BATCH = 500;

/** The most a WebSocket client may send in one message: clients only send small control messages. */
export const DEFAULT_MAX_CLIENT_MESSAGE_BYTES = 4096;
