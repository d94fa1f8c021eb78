import { waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { QueueArgumentError, QueueValidationError, QueueWorker, type JobContext } from '../src/index.js';
import { sleep, useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis();

const noop = async () => undefined;

describe('schedules', () => {
  it('runs an every-N schedule: jobs keep coming with the declared payload', async () => {
    const setup = redis.setup();
    const runs: Array<{ day: string; context: JobContext }> = [];
    await setup.worker(mailQueue(), {
      handlers: {
        welcome: noop,
        digest: (payload, context) => void runs.push({ ...payload, context }),
        flaky: noop,
      },
      schedules: { 'digest-often': { job: 'digest', payload: { day: 'every' }, everyMs: 100 } },
    });

    await waitFor(() => runs.length >= 3, { what: 'three scheduled runs' });
    expect(runs.every((run) => run.day === 'every')).toBe(true);
    expect(runs.every((run) => run.context.scheduleId === 'digest-often')).toBe(true);
    expect(new Set(runs.map((run) => run.context.id)).size).toBe(runs.length);
  });

  it('does not duplicate a redeclared schedule and removes the ones no longer declared', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const inspect = setup.inspect(definition);
    const handlers = { welcome: noop, digest: noop, flaky: noop };
    const hourly = { job: 'digest', payload: { day: 'hourly' }, everyMs: 3_600_000 } as const;
    const nightly = {
      job: 'digest',
      payload: { day: 'nightly' },
      cron: '0 3 * * *',
      tz: 'Europe/Berlin',
    } as const;

    const first = await setup.worker(definition, { handlers, schedules: { hourly, nightly } });
    await first.close();
    expect((await inspect.getJobSchedulers()).map((scheduler) => scheduler.key).sort()).toEqual([
      'hourly',
      'nightly',
    ]);
    const delayedBefore = await inspect.getDelayedCount();

    // A second start (a deploy, a second replica) with the same declaration: nothing is added.
    const second = await setup.worker(definition, { handlers, schedules: { hourly, nightly } });
    await second.close();
    expect(await inspect.getJobSchedulersCount()).toBe(2);
    expect(await inspect.getDelayedCount()).toBe(delayedBefore);
    expect(delayedBefore).toBe(2); // one next run per schedule

    // `nightly` is no longer declared: it goes, with its pending run.
    await setup.worker(definition, { handlers, schedules: { hourly } });
    const schedulers = await inspect.getJobSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key)).toEqual(['hourly']);
    expect(schedulers[0]).toMatchObject({ every: 3_600_000, template: { data: { day: 'hourly' } } });
    expect(await inspect.getDelayedCount()).toBe(1);
  });

  it('leaves schedulers alone when the worker declares no schedules', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    const handlers = { welcome: noop, digest: noop, flaky: noop };
    const owner = await setup.worker(definition, {
      handlers,
      schedules: { hourly: { job: 'digest', payload: { day: 'h' }, everyMs: 3_600_000 } },
    });
    await owner.close();

    await setup.worker(definition, { handlers });
    await sleep(50);
    expect(await setup.inspect(definition).getJobSchedulersCount()).toBe(1);
  });

  it('rejects a schedule with an invalid payload or job when the worker is built', () => {
    const setup = redis.setup();
    const handlers = { welcome: noop, digest: noop, flaky: noop };
    const build = (schedules: object) =>
      new QueueWorker(setup.deps, mailQueue(), { handlers, schedules: schedules as never });

    expect(() => build({ bad: { job: 'digest', payload: { day: 7 }, everyMs: 1000 } })).toThrow(
      QueueValidationError,
    );
    expect(() => build({ bad: { job: 'nope', payload: {}, everyMs: 1000 } })).toThrow(QueueArgumentError);
    expect(() => build({ 'bad:id': { job: 'digest', payload: { day: 'x' }, everyMs: 1000 } })).toThrow(
      QueueArgumentError,
    );
    expect(() => build({ bad: { job: 'digest', payload: { day: 'x' } } })).toThrow(/everyMs or cron/);
    expect(setup.connections.list()).toHaveLength(0);
  });
});
