// Redis housekeeping the worker runs on schedules: index entries of ended sessions and spent tokens.
import { defineQueue } from '@rnh/queue';
import { z } from 'zod';

export const maintenanceQueue = defineQueue({
  name: 'maintenance',
  defaults: { attempts: 3, backoff: { delayMs: 10_000 } },
  jobs: {
    prune_session_index: { schema: z.object({}) },
    prune_token_subjects: { schema: z.object({}) },
  },
});
