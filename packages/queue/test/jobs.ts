// Queue definitions the tests share.
import { z } from 'zod';
import { defineQueue } from '../src/index.js';

export const EMAIL_MESSAGE = 'to must be an email address';

export function mailQueue(name = 'mail') {
  return defineQueue({
    name,
    defaults: { attempts: 3, backoff: { delayMs: 20, jitter: 0.5 } },
    jobs: {
      welcome: {
        schema: z.object({
          to: z.email({ error: EMAIL_MESSAGE }),
          userId: z.string().min(1),
          locale: z.enum(['en', 'de']).default('en'),
        }),
      },
      digest: { schema: z.object({ day: z.string() }), attempts: 2 },
      flaky: { schema: z.object({ failTimes: z.number().int() }), attempts: 4 },
    },
  });
}

export type MailQueue = ReturnType<typeof mailQueue>;
