// Declared schedules come back without an app restart: after Redis restarts empty, and after
// something deletes one while the worker is connected.
import { itOnStandalone, metricValue, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis();

const noop = async () => undefined;
const handlers = { welcome: noop, digest: noop, flaky: noop };
const schedules = {
  hourly: { job: 'digest', payload: { day: 'hourly' }, everyMs: 3_600_000 },
  nightly: { job: 'digest', payload: { day: 'nightly' }, cron: '0 3 * * *', tz: 'UTC' },
} as const;

async function schedulerIds(setup: ReturnType<typeof redis.setup>, definition: ReturnType<typeof mailQueue>) {
  return (await setup.inspect(definition).getJobSchedulers()).map((scheduler) => scheduler.key).sort();
}

describe('schedule repair', () => {
  itOnStandalone(
    'puts the schedules back when Redis restarts without its data, without restarting the worker',
    async () => {
      const setup = redis.setup();
      const definition = mailQueue();
      await setup.worker(definition, { handlers, schedules });
      expect(await schedulerIds(setup, definition)).toEqual(['hourly', 'nightly']);

      await redis.server.restart(); // no persistence: it comes back empty
      await waitFor(async () => (await schedulerIds(setup, definition).catch(() => [])).length === 2, {
        timeoutMs: 30_000,
        intervalMs: 200,
        what: 'both schedules back after the restart',
      });
      expect(await schedulerIds(setup, definition)).toEqual(['hourly', 'nightly']);
      expect(setup.log.lines().some((line) => line.msg === 'queue schedules synced')).toBe(true);
    },
  );

  it('puts back a schedule deleted while the worker is connected, at its next check, and reports none missing', async () => {
    const setup = redis.setup();
    const definition = mailQueue();
    await setup.worker(definition, { handlers, schedules, deadLetterSweepMs: 100, depthCacheMs: 0 });
    expect(await metricValue(setup.registry, 'queue_schedules_missing', { queue: definition.name })).toBe(0);
    expect(await setup.registry.metrics()).toContain('queue_schedules_missing{');

    await setup.inspect(definition).removeJobScheduler('nightly');
    await waitFor(async () => (await schedulerIds(setup, definition)).includes('nightly'), {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'the deleted schedule back',
    });
    expect(
      setup.log
        .lines()
        .some((line) => line.msg === 'declared schedules are missing in Redis; putting them back'),
    ).toBe(true);
    expect(await schedulerIds(setup, definition)).toEqual(['hourly', 'nightly']);
  });
});
