// Public API of @rnh/realtime. Every export is listed here on purpose.

export type { Delivery, EventData, EventSchema, EventSchemas, FeedEvent, RealtimeDeps } from './types.js';
export {
  RealtimeArgumentError,
  RealtimeClosedError,
  RealtimeConnectionLimitError,
  RealtimeError,
  RealtimeEventError,
  RealtimeUnavailableError,
} from './errors.js';
export type { RealtimeErrorCode } from './errors.js';

export { EventFeed } from './feed/event-feed.js';
export type { EventFeedOptions, FeedPage } from './feed/event-feed.js';
export { FeedFollower } from './feed/feed-follower.js';
export type { FollowOptions } from './feed/feed-follower.js';
export { compareStreamIds, isStreamId } from './feed/stream-id.js';

export { Presence } from './presence/presence.js';
export type { PresenceChange, PresenceOptions } from './presence/presence.js';

export { RealtimeChannels } from './channels/channels.js';
export type { ChannelHandler, ChannelsOptions } from './channels/channels.js';

export { RealtimeHub } from './hub/hub.js';
export type { Admission, ConnectRequest, HubConnection, RealtimeHubOptions } from './hub/hub.js';
export type { ClientSink, CloseReason } from './hub/client-sink.js';

export { sseHandler } from './transports/sse.js';
export type { SseOptions } from './transports/sse.js';
export { attachWebSocket } from './transports/websocket.js';
export type { WebSocketEndpoint, WebSocketOptions } from './transports/websocket.js';
export type { Authenticate, RealtimeIdentity } from './transports/identity.js';
export type { AllowedOrigins } from './transports/origin.js';

export { DELIVERY_LAG_BUCKETS, NO_REALTIME_METRICS, RealtimeMetrics } from './metrics.js';
export type { DropReason, RealtimeMetricsSink, RejectReason, Transport } from './metrics.js';
