import type { Transport } from '../metrics.js';
import type { Delivery, EventSchemas } from '../types.js';

/** Why the server closes a client connection. */
export type CloseReason = 'drain' | 'slow_client' | 'heartbeat_timeout' | 'server_error';

/** A client connection as a transport (WebSocket, SSE, or your own) presents it to the hub. */
export interface ClientSink<S extends EventSchemas = EventSchemas> {
  readonly transport: Transport;
  /** Writes one delivery; false when the client has too much unsent data (the hub then drops it). */
  write(delivery: Delivery<S>): boolean;
  /** Checks the client is alive (a WebSocket ping); false when it did not answer the previous one. */
  ping(): boolean;
  /** Ends the connection (after telling the client to reconnect, for `drain`). */
  close(reason: CloseReason): void;
}
