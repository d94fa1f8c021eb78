// Mail the hub sends. The api enqueues (after its rate limits), the worker renders and sends.
// Payloads carry what the message shows. Links that carry a token (verification, reset, invite) are
// `secret`: sealed in Redis with the apps' JOB_SECRET_KEY, opened only by the worker to send the
// mail, "[redacted]" in the dead letters. Finished email jobs are removed within a minute.
import { defineQueue } from '@rnh/queue';
import { z } from 'zod';

const to = z.email({ error: 'to must be an email address' });
const name = z.string().min(1).max(200);
const link = z.url({ error: 'link must be a URL' });

// A sent message is kept briefly: a minute, 100 at most.
const sentAndGone = { removeOnComplete: { ageSeconds: 60, count: 100 } };

export const emailQueue = defineQueue({
  name: 'email',
  defaults: { attempts: 6, backoff: { delayMs: 5_000 }, ...sentAndGone },
  deadLetter: { maxEntries: 10_000, maxAgeMs: 7 * 86_400_000 },
  jobs: {
    // userId: the account the mail is for, told live when it is sent (GET /events).
    email_verification: {
      schema: z.object({ to, displayName: name, link, userId: z.uuid().optional() }),
      secret: ['link'],
    },
    password_reset: {
      schema: z.object({ to, displayName: name, link, userId: z.uuid().optional() }),
      secret: ['link'],
    },
    invite: {
      schema: z.object({ to, inviterName: name, organizationName: name, link }),
      secret: ['link'],
    },
    referral_update: {
      schema: z.object({
        to,
        displayName: name,
        candidateName: name,
        event: z.enum(['created', 'accepted', 'declined', 'completed']),
        fromOrganization: name,
        toOrganization: name,
        link,
      }),
    },
    referral_digest: {
      schema: z.object({
        to,
        displayName: name,
        organizations: z.array(z.object({ name, pending: z.number().int().min(1) })).min(1),
        link,
      }),
    },
  },
});
