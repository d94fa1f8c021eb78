import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  itOnStandalone,
  readmeExample,
  runExample,
  scanKeys,
  topologyClient,
  useRedis,
} from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { QueueProducer } from '../src/index.js';
import { mailQueue } from './jobs.js';

const redis = useRedis();
const EXAMPLE = new URL('../examples/quick-start.ts', import.meta.url);

describe('the README quick start', () => {
  it('is the example file, verbatim', async () => {
    const readme = fileURLToPath(new URL('../README.md', import.meta.url));
    expect(await readmeExample(readme, 'examples/quick-start.ts')).toBe(await readFile(EXAMPLE, 'utf8'));
  });

  // The example connects with `new Redis(REDIS_URL)`, to one server.
  itOnStandalone(
    'runs against a real redis-server with only `{ redis }`: the job is enqueued and handled',
    async () => {
      const printed = await runExample(EXAMPLE, `redis://${redis.server.host}:${redis.server.port}`);
      expect(printed).toEqual(['welcome sent to ada@example.com']);
      // BullMQ's keys under the default prefix; every copy of the user's client was closed.
      expect(await scanKeys(redis.admin, 'rnh:queue:{email}:email:*')).not.toHaveLength(0);
      const clients = await redis.admin.client('LIST');
      expect(String(clients).trim().split('\n')).toHaveLength(1); // the admin client only
    },
  );
});

describe('dependencies', () => {
  it('with a registry, its metrics appear there; the user client is neither used by BullMQ nor closed', async () => {
    // The user's own client: a Redis, or a Cluster on a cluster.
    const client = topologyClient(redis.target);
    redis.cleanup.push(() => client.quit().then(() => undefined));
    const registry = new Registry();
    const producer = new QueueProducer({ redis: client, keys: 'metrics-test:', registry }, mailQueue());
    await producer.enqueue('welcome', { userId: 'u1', to: 'u1@example.com' });
    await producer.close();
    expect(await registry.metrics()).toMatch(
      /queue_jobs_enqueued_total\{queue="mail",job_name="welcome"\} 1/,
    );
    expect(await scanKeys(redis.admin, 'metrics-test:{mail}:mail:*')).not.toHaveLength(0);
    expect(await client.ping()).toBe('PONG');
  });
});
