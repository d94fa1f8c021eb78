// A referral's life: pending -> accepted | declined, then accepted -> completed. Nothing else.
import type { ReferralStatus } from '../db/schema.js';

export const REFERRAL_STATUSES = [
  'pending',
  'accepted',
  'declined',
  'completed',
] as const satisfies readonly ReferralStatus[];

/** The actions on a referral, the status each needs, and the status it leads to. */
export const REFERRAL_TRANSITIONS = {
  accept: { from: 'pending', to: 'accepted' },
  decline: { from: 'pending', to: 'declined' },
  complete: { from: 'accepted', to: 'completed' },
} as const satisfies Record<string, { from: ReferralStatus; to: ReferralStatus }>;

export type ReferralAction = keyof typeof REFERRAL_TRANSITIONS;
