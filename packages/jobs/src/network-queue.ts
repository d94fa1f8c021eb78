// Work on the hub's database: fan-out of referral events into notifications and mail, of a member
// joining (an accepted invite) into notifications for the organization's owners and admins, the daily
// digest, expired-invite cleanup, and password-reset requests (looking the account up, issuing the
// token and queueing the mail after the answer, so the answer is the same work for any address).
// Processed by the api processes, which own the database (embedded PGlite serves one process; with
// PostgreSQL every api instance shares the work).
import { defineQueue } from '@rnh/queue';
import { z } from 'zod';

export const REFERRAL_EVENTS = ['created', 'accepted', 'declined', 'completed'] as const;

export const networkQueue = defineQueue({
  name: 'network',
  defaults: { attempts: 5, backoff: { delayMs: 2_000 } },
  jobs: {
    referral_event: {
      schema: z.object({
        referralId: z.uuid(),
        event: z.enum(REFERRAL_EVENTS),
        actorId: z.uuid(),
      }),
    },
    // An invite was accepted: the user is now a member of the organization, with the invite's role.
    member_joined: {
      schema: z.object({
        inviteId: z.uuid(),
        organizationId: z.uuid(),
        userId: z.uuid(),
        role: z.enum(['admin', 'member']),
      }),
    },
    password_reset_request: { schema: z.object({ email: z.email() }) },
    daily_digest: { schema: z.object({}), attempts: 3 },
    expired_invites_cleanup: { schema: z.object({}), attempts: 3 },
    outbox_cleanup: { schema: z.object({}), attempts: 3 },
  },
});
