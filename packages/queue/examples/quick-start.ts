import { QueueProducer, QueueWorker, defineQueue } from '@rnh/queue';
import { Redis } from 'ioredis';
import { z } from 'zod';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
const emails = defineQueue({ name: 'email', jobs: { welcome: { schema: z.object({ to: z.email() }) } } });

// The producer enqueues on a fail-fast copy of `redis`, the worker blocks on its own copy.
const producer = new QueueProducer({ redis }, emails);
await producer.enqueue('welcome', { to: 'ada@example.com' });

let handled = (): void => undefined;
const welcomed = new Promise<void>((resolve) => (handled = resolve));
const worker = new QueueWorker({ redis }, emails, {
  handlers: {
    welcome: async ({ to }) => {
      console.log('welcome sent to', to);
      handled();
    },
  },
});
await worker.start();

await welcomed; // a real app keeps its worker running instead
await worker.close();
await producer.close();
await redis.quit();
