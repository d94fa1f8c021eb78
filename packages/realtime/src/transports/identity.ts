import type { IncomingMessage } from 'node:http';

/** Who the request is from, as the app's `authenticate` decides (its session cookie or Bearer token). */
export interface RealtimeIdentity {
  userId: string;
  /** The organizations whose members' presence the user sees (and who see theirs). */
  orgIds?: readonly string[];
}

/** The app's check of a connection request: the identity, or null for an unauthenticated request. */
export type Authenticate = (
  request: IncomingMessage,
) => Promise<RealtimeIdentity | null> | RealtimeIdentity | null;
