// Crashes and shutdowns with real OS processes: a worker fixture run with
// `node --import tsx`, killed with SIGKILL or stopped with SIGTERM mid-job.
import { uniquePrefix, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { startChildWorker, type ChildWorkerConfig } from './child-workers.js';
import { slowQueue } from './fixtures/slow-queue.js';
import { useQueueRedis } from './helpers.js';

const redis = useQueueRedis();

// Short locks so a lost job is taken over within seconds.
function config(prefix: string, name: string, shutdownTimeoutMs = 15_000): ChildWorkerConfig {
  return {
    target: redis.target,
    prefix,
    name,
    lockDurationMs: 2000,
    stalledIntervalMs: 1000,
    shutdownTimeoutMs,
  };
}

async function counters(prefix: string, jobId: string) {
  const [starts, completions] = await Promise.all([
    redis.admin.get(`${prefix}test:starts:${jobId}`),
    redis.admin.get(`${prefix}test:completions:${jobId}`),
  ]);
  return { starts: Number(starts), completions: Number(completions) };
}

// Each test starts two Node processes under tsx (up to 30 s each on a loaded machine, see
// child-workers.ts) and waits for a lock to expire: a test timeout above those waits.
describe('worker processes', { timeout: 90_000 }, () => {
  it('a worker killed with SIGKILL mid-job: a restarted worker completes the job, once', async () => {
    const prefix = uniquePrefix('queue');
    const setup = redis.setup(prefix);
    const inspect = setup.inspect(slowQueue);
    const first = await startChildWorker(config(prefix, 'first'), redis.cleanup);
    const { id } = await setup.producer(slowQueue).enqueue('slow', { firstRunMs: 60_000, laterRunMs: 50 });
    expect(await first.next('started')).toMatchObject({ jobId: id, starts: 1, attempt: 1 });

    first.signal('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await inspect.getJobState(id)).toBe('active'); // orphaned, its lock not yet expired

    const restarted = await startChildWorker(config(prefix, 'restarted'), redis.cleanup);
    expect(await restarted.next('started')).toMatchObject({ jobId: id, starts: 2, attempt: 1 });
    await restarted.next('finished');
    await waitFor(async () => (await inspect.getJobState(id)) === 'completed', { what: 'completed' });

    expect(await counters(prefix, id)).toEqual({ starts: 2, completions: 1 });
    const job = await inspect.getJob(id);
    expect(job).toMatchObject({ stalledCounter: 1, attemptsStarted: 2, processedBy: 'restarted' });
  });

  it('SIGTERM during a job: the job finishes within the deadline, then the process exits', async () => {
    const prefix = uniquePrefix('queue');
    const setup = redis.setup(prefix);
    const worker = await startChildWorker(config(prefix, 'only', 15_000), redis.cleanup);
    const { id } = await setup.producer(slowQueue).enqueue('slow', { firstRunMs: 1500, laterRunMs: 50 });
    await worker.next('started');

    worker.signal('SIGTERM');

    await worker.next('finished');
    expect(await worker.next('closed')).toMatchObject({ timedOut: false, abandoned: 0 });
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(await setup.inspect(slowQueue).getJobState(id)).toBe('completed');
    expect(await counters(prefix, id)).toEqual({ starts: 1, completions: 1 });
  });

  it('SIGTERM past the deadline: the job is given up and another worker completes it', async () => {
    const prefix = uniquePrefix('queue');
    const setup = redis.setup(prefix);
    const inspect = setup.inspect(slowQueue);
    const leaving = await startChildWorker(config(prefix, 'leaving', 300), redis.cleanup);
    const { id } = await setup.producer(slowQueue).enqueue('slow', { firstRunMs: 60_000, laterRunMs: 50 });
    await leaving.next('started');
    const staying = await startChildWorker(config(prefix, 'staying'), redis.cleanup);

    leaving.signal('SIGTERM');

    expect(await leaving.next('closed')).toMatchObject({ timedOut: true, abandoned: 1 });
    expect(await leaving.exited).toEqual({ code: 0, signal: null });
    expect(await staying.next('started')).toMatchObject({ jobId: id, starts: 2, attempt: 1 });
    await staying.next('finished');
    await waitFor(async () => (await inspect.getJobState(id)) === 'completed', { what: 'completed' });
    expect(await counters(prefix, id)).toEqual({ starts: 2, completions: 1 });
    expect(await inspect.getJob(id)).toMatchObject({ processedBy: 'staying', stalledCounter: 1 });
  });
});
