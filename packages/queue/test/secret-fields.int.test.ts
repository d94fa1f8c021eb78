// Secret payload fields (a link that carries a token) never rest in Redis in the clear: sealed at
// enqueue, opened only for the handler, redacted in the dead-letter API, refused without a key.
import { randomBytes } from 'node:crypto';
import { waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineQueue,
  QueueArgumentError,
  QueueSealingError,
  QueueWorker,
  UnrecoverableError,
} from '../src/index.js';
import { keysUnder, useQueueRedis } from './helpers.js';

const redis = useQueueRedis();

const KEY = 'a-sealing-key-of-at-least-32-characters';
const OTHER_KEY = 'another-sealing-key-of-32-characters-or-more';

function accountsQueue() {
  return defineQueue({
    name: 'accounts',
    defaults: { attempts: 3, backoff: { delayMs: 20 } },
    jobs: {
      reset: { schema: z.object({ to: z.email(), link: z.url() }), secret: ['link'] },
      note: { schema: z.object({ text: z.string() }) },
    },
  });
}

/** A link with a fresh token, as the api mails it. */
function resetLink() {
  const token = randomBytes(32).toString('base64url');
  return { token, link: `https://app.example.com/reset-password?token=${token}` };
}

describe('secret payload fields', () => {
  it('are sealed in the job hash in Redis; the handler receives the plain value', async () => {
    const setup = redis.setup();
    const definition = accountsQueue();
    const producer = setup.producer(definition, { sealingKey: KEY });
    const { token, link } = resetLink();

    const { id } = await producer.enqueue('reset', { to: 'ada@example.com', link });

    // What anyone with access to Redis reads: the BullMQ job hash, field by field.
    const stored = await redis.admin.hgetall(`${setup.prefix}queue:{accounts}:accounts:${id}`);
    const raw = JSON.stringify(stored);
    expect(raw).not.toContain(token);
    expect(raw).not.toContain('reset-password');
    const data = JSON.parse(stored.data!) as { to: string; link: string };
    expect(data.to).toBe('ada@example.com');
    expect(data.link).toMatch(/^sealed:v1:[A-Za-z0-9_-]+$/);

    const received: unknown[] = [];
    await setup.worker(definition, {
      sealingKey: KEY,
      handlers: { reset: (payload) => void received.push(payload), note: () => undefined },
    });
    await waitFor(() => received.length === 1, { what: 'the handler to run' });
    expect(received).toEqual([{ to: 'ada@example.com', link }]);
    expect(JSON.stringify(setup.log.lines())).not.toContain(token);
  });

  it('read "[redacted]" in the dead-letter API, stay sealed in its store, and a retry delivers them', async () => {
    const setup = redis.setup();
    const definition = accountsQueue();
    const producer = setup.producer(definition, { sealingKey: KEY });
    let refuse = true;
    const delivered: string[] = [];
    await setup.worker(definition, {
      sealingKey: KEY,
      handlers: {
        reset: ({ link }) => {
          if (refuse) throw new UnrecoverableError('the mail server refused the message');
          delivered.push(link);
        },
        note: () => undefined,
      },
    });
    const { token, link } = resetLink();
    const { id } = await producer.enqueue('reset', { to: 'ada@example.com', link });
    await waitFor(async () => (await producer.deadLetters.count()) === 1, { what: 'the dead job' });

    const page = await producer.deadLetters.list();
    expect(page.jobs[0]).toMatchObject({
      id,
      name: 'reset',
      payload: { to: 'ada@example.com', link: '[redacted]' },
    });
    expect((await producer.deadLetters.get(id))?.payload).toEqual({
      to: 'ada@example.com',
      link: '[redacted]',
    });
    // Neither the value nor its sealed form leaves the API.
    expect(JSON.stringify(page)).not.toContain(token);
    expect(JSON.stringify(page)).not.toContain('sealed:v1:');
    // The dead-letter store itself (and every other key of the test) holds no plain token.
    for (const key of await keysUnder(redis.admin, setup.prefix)) {
      const type = await redis.admin.type(key);
      const value =
        type === 'hash'
          ? await redis.admin.hgetall(key)
          : type === 'string'
            ? await redis.admin.get(key)
            : type === 'list'
              ? await redis.admin.lrange(key, 0, -1)
              : type === 'zset'
                ? await redis.admin.zrange(key, 0, -1)
                : null;
      expect(JSON.stringify(value), key).not.toContain(token);
    }

    refuse = false;
    await producer.deadLetters.retry(id);
    await waitFor(() => delivered.length === 1, { what: 'the retried job' });
    expect(delivered).toEqual([link]);
  });

  it('refuse to be enqueued without a sealing key, and a worker without one does not start', async () => {
    const setup = redis.setup();
    const definition = accountsQueue();
    const producer = setup.producer(definition);
    const { link } = resetLink();

    const refused = producer.enqueue('reset', { to: 'ada@example.com', link });
    await expect(refused).rejects.toBeInstanceOf(QueueSealingError);
    await expect(refused).rejects.toThrow(/secret fields \(link\).*sealingKey/);
    expect(await keysUnder(redis.admin, `${setup.prefix}queue:`)).toEqual([]);
    // Job types without secret fields are not affected.
    await expect(producer.enqueue('note', { text: 'hello' })).resolves.toMatchObject({ deduplicated: false });

    expect(
      () =>
        new QueueWorker(setup.deps, definition, {
          handlers: { reset: () => undefined, note: () => undefined },
        }),
    ).toThrow(QueueArgumentError);
    expect(() => setup.producer(definition, { sealingKey: 'too short' })).toThrow(QueueArgumentError);
  });

  it('a worker with another key fails the job for good and never runs the handler on it', async () => {
    const setup = redis.setup();
    const definition = accountsQueue();
    const producer = setup.producer(definition, { sealingKey: KEY });
    const received: unknown[] = [];
    await setup.worker(definition, {
      sealingKey: OTHER_KEY,
      handlers: { reset: (payload) => void received.push(payload), note: () => undefined },
    });
    const { token, link } = resetLink();
    const { id } = await producer.enqueue('reset', { to: 'ada@example.com', link });
    await waitFor(async () => (await producer.deadLetters.count()) === 1, { what: 'the dead job' });

    const dead = await producer.deadLetters.get(id);
    expect(dead).toMatchObject({ reason: 'unrecoverable', payload: { link: '[redacted]' } });
    expect(dead!.error.message).toMatch(/secret field "link" of job "reset".*does not open/);
    expect(JSON.stringify(dead)).not.toContain(token);
    expect(received).toEqual([]);
  });
});
