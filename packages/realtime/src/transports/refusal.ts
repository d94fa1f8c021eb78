import {
  RealtimeArgumentError,
  RealtimeClosedError,
  RealtimeConnectionLimitError,
  RealtimeError,
} from '../errors.js';
import type { RejectReason } from '../metrics.js';

/** How a transport answers a connection it refuses: status, JSON body, and the metric's reason. */
export interface Refusal {
  status: number;
  reason: RejectReason;
  body: { error: { code: string; message: string } };
  headers: Record<string, string>;
}

export function refusal(reason: RejectReason, message: string): Refusal {
  const status = {
    unauthenticated: 401,
    origin: 403,
    connection_limit: 429,
    bad_request: 400,
    unavailable: 503,
    draining: 503,
  }[reason];
  // Clients come back later: soon after a drain or an outage, later after too many connections.
  const headers: Record<string, string> =
    reason === 'draining' || reason === 'unavailable'
      ? { 'retry-after': '1' }
      : reason === 'connection_limit'
        ? { 'retry-after': '30' }
        : {};
  return { status, reason, body: { error: { code: reason, message } }, headers };
}

/** The refusal for an error from `authenticate` or `hub.admit`. */
export function refusalFor(error: unknown): Refusal {
  if (error instanceof RealtimeArgumentError) return refusal('bad_request', error.message);
  if (error instanceof RealtimeConnectionLimitError) return refusal('connection_limit', error.message);
  if (error instanceof RealtimeClosedError) return refusal('draining', error.message);
  if (error instanceof RealtimeError)
    return refusal('unavailable', 'real-time delivery is unavailable; try again shortly');
  return refusal('unavailable', 'real-time delivery is unavailable; try again shortly');
}
