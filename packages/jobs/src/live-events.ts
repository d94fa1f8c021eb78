// What the apps send to a signed-in user's live connections (GET /events, GET /ws), with the schema
// each must pass: the api publishes them, the worker too, and clients receive them.
import { z } from 'zod';
import { REFERRAL_EVENTS } from './network-queue.js';

export const liveEvents = {
  /**
   * A new notification (also stored: GET /me/notifications lists it). Unique per (referralId, kind)
   * for a referral's, per (inviteId, kind) for a member who joined (`member_joined`).
   */
  notification: z.object({
    kind: z.string(),
    message: z.string(),
    referralId: z.string().nullable(),
    inviteId: z.string().nullable().optional(),
  }),
  /** A referral of one of the user's organizations changed status. */
  'referral.updated': z.object({
    referralId: z.string(),
    event: z.enum(REFERRAL_EVENTS),
    fromOrganizationId: z.string(),
    toOrganizationId: z.string(),
  }),
  /** A mail the user asked for (verification, password reset) was sent, or could not be. */
  'mail.status': z.object({
    template: z.string(),
    status: z.enum(['sent', 'failed']),
  }),
};

export type LiveEvents = typeof liveEvents;
