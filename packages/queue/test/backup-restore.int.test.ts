// Backups of a queue's Redis, done the way docs/operations.md tells an operator to: an RDB
// snapshot (BGSAVE) copied away and restored into an empty server, and an append-only file
// (appendfsync everysec) that a crashed server starts again from. No worker runs while the
// jobs wait; the one started afterwards must run each of them once, delayed ones not before
// their time.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startRedisServer,
  waitFor,
  type RedisServerHandle,
  type StartRedisServerOptions,
} from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobContext, QueueWorkerOptions } from '../src/index.js';
import { setupQueue, sleep, type QueueSetup } from './helpers.js';
import { mailQueue, type MailQueue } from './jobs.js';

type Cleanup = Array<() => Promise<void> | void>;

const cleanup: Cleanup = [];
afterEach(() => runCleanup(cleanup));

async function runCleanup(steps: Cleanup): Promise<void> {
  for (const step of steps.splice(0).reverse()) await step();
}

async function startServer(options?: StartRedisServerOptions): Promise<RedisServerHandle> {
  const server = await startRedisServer(options);
  cleanup.push(() => server.destroy());
  return server;
}

function adminClient(server: RedisServerHandle, steps: Cleanup): Redis {
  const admin = new Redis({ host: server.host, port: server.port });
  admin.on('error', () => undefined); // a server this test stops makes it fail too
  steps.push(() => void admin.disconnect());
  return admin;
}

async function persistenceInfo(admin: Redis): Promise<Record<string, string>> {
  const lines = (await admin.info('persistence')).split('\r\n');
  return Object.fromEntries(lines.filter((line) => line.includes(':')).map((line) => line.split(':', 2)));
}

/**
 * BGSAVE, then waits until that save has finished and checks that it succeeded. It waits for
 * one more save in `rdb_saves` rather than for a new LASTSAVE, which counts whole seconds (a
 * save finished in the second the server started would not change it).
 */
async function snapshot(admin: Redis): Promise<void> {
  const savesBefore = Number((await persistenceInfo(admin)).rdb_saves);
  await admin.bgsave();
  const after = await waitFor(
    async () => {
      const info = await persistenceInfo(admin);
      return info.rdb_bgsave_in_progress === '0' && Number(info.rdb_saves) > savesBefore ? info : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: 'the BGSAVE to finish' },
  );
  expect(after.rdb_last_bgsave_status).toBe('ok');
}

/**
 * CONFIG SET appendonly yes and waits until Redis has written the append-only file from the data
 * in memory (the rewrite it starts for that), then checks that the rewrite succeeded.
 */
async function enableAppendOnly(admin: Redis): Promise<void> {
  const rewritesBefore = Number((await persistenceInfo(admin)).aof_rewrites);
  await admin.config('SET', 'appendonly', 'yes');
  const after = await waitFor(
    async () => {
      const info = await persistenceInfo(admin);
      const done =
        Number(info.aof_rewrites) > rewritesBefore &&
        info.aof_rewrite_in_progress === '0' &&
        info.aof_rewrite_scheduled === '0';
      return done ? info : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: 'the append-only file to be written' },
  );
  expect(after).toMatchObject({ aof_enabled: '1', aof_last_bgrewrite_status: 'ok' });
}

interface Run {
  id: string;
  payload: unknown;
  startedAt: number;
  context: Pick<JobContext, 'enqueuedAt' | 'scheduleId'>;
}

/** Handlers that record each run of the queue's jobs. */
function recordingHandlers(runs: Run[]) {
  const record = (payload: unknown, context: JobContext) =>
    void runs.push({
      id: context.id,
      payload,
      startedAt: Date.now(),
      context: { enqueuedAt: context.enqueuedAt, scheduleId: context.scheduleId },
    });
  return { welcome: record, digest: record, flaky: record };
}

interface Enqueued {
  id: string;
  payload: unknown;
  delayMs: number;
}

function welcomePayload(index: number) {
  return {
    to: `member${index}@example.com`,
    userId: `user-${index}`,
    locale: index % 2 ? 'de' : 'en',
  } as const;
}

async function enqueueWelcomes(
  setup: QueueSetup,
  definition: MailQueue,
  from: number,
  count: number,
  delayMs = 0,
): Promise<Enqueued[]> {
  const producer = setup.producer(definition);
  const jobs: Enqueued[] = [];
  for (let index = from; index < from + count; index++) {
    const payload = welcomePayload(index);
    const { id } = await producer.enqueue('welcome', payload, delayMs ? { delayMs } : {});
    jobs.push({ id, payload, delayMs });
  }
  return jobs;
}

/**
 * Starts a worker and waits until every expected job has run and BullMQ counts it completed;
 * then nothing is left to run (but a schedule's next run), so each job ran exactly once when
 * the runs equal the expected jobs.
 */
async function workOff(
  setup: QueueSetup,
  definition: MailQueue,
  expected: Enqueued[],
  schedules?: QueueWorkerOptions<MailQueue['jobs']>['schedules'],
) {
  const runs: Run[] = [];
  const workerStartedAt = Date.now();
  await setup.worker(definition, { handlers: recordingHandlers(runs), ...(schedules && { schedules }) });
  const producer = setup.producer(definition);
  await waitFor(async () => (await producer.counts()).completed >= expected.length, {
    timeoutMs: 120_000,
    intervalMs: 200,
    what: `${expected.length} jobs completed`,
  });
  const counts = await producer.counts();
  expect(counts).toMatchObject({ waiting: 0, active: 0, completed: expected.length, failed: 0, dead: 0 });
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  expect(runs.map(({ id, payload }) => ({ id, payload })).sort(byId)).toEqual(
    expected.map(({ id, payload }) => ({ id, payload })).sort(byId),
  );
  // Delayed jobs came back delayed: none ran before its enqueue time plus its delay.
  const delays = new Map(expected.map((job) => [job.id, job.delayMs]));
  for (const run of runs) {
    const due = run.context.enqueuedAt.getTime() + (delays.get(run.id) ?? 0);
    expect(run.startedAt, `job ${run.id} ran before it was due`).toBeGreaterThanOrEqual(due);
  }
  return { runs, counts, workerStartedAt };
}

/** Seconds from `since` to when the first of `delayed` was due (negative: it was due already). */
function secondsToFirstDue(runs: Run[], delayed: Enqueued[], since: number): number {
  const due = delayed.map((job) => {
    const run = runs.find((candidate) => candidate.id === job.id);
    return run ? run.context.enqueuedAt.getTime() + job.delayMs : Number.NaN;
  });
  return (Math.min(...due) - since) / 1000;
}

// Long enough to outlast the backup and the restore, so that a restore that lost the delay
// (and ran the jobs at once) fails the test.
const DELAY_MS = 20_000;
const schedules = {
  'new-year': { job: 'digest', payload: { day: 'new-year' }, cron: '0 3 1 1 *', tz: 'UTC' },
} as const;

describe('backup and restore of a queue', { timeout: 240_000 }, () => {
  it('restores waiting and delayed jobs, a schedule and idempotency keys from an RDB snapshot into an empty server', async () => {
    const definition = mailQueue('backed-up');
    const original = await startServer();
    const originalSteps: Cleanup = [];
    cleanup.push(() => runCleanup(originalSteps));
    const before = setupQueue(original, originalSteps);

    // The schedule is declared by a worker that then stops: no worker runs from here on.
    const owner = await before.worker(definition, { handlers: recordingHandlers([]), schedules });
    await owner.close();
    const ready = await enqueueWelcomes(before, definition, 0, 9);
    const delayed = await enqueueWelcomes(before, definition, 9, 3, DELAY_MS);
    const digest = { day: '2026-05-01' };
    const keyed = await before
      .producer(definition)
      .enqueue('digest', digest, { idempotencyKey: 'digest:2026-05-01' });
    const expected = [...ready, ...delayed, { id: keyed.id, payload: digest, delayMs: 0 }];

    // Backup: BGSAVE, then copy the file Redis wrote (`dir` / `dbfilename`) away.
    const admin = adminClient(original, originalSteps);
    await snapshot(admin);
    const [, dir] = (await admin.config('GET', 'dir')) as [string, string];
    const [, dbfilename] = (await admin.config('GET', 'dbfilename')) as [string, string];
    const backupDir = mkdtempSync(join(tmpdir(), 'rnh-redis-backup-'));
    cleanup.push(() => rmSync(backupDir, { recursive: true, force: true }));
    copyFileSync(join(dir, dbfilename), join(backupDir, 'dump.rdb'));

    // The data is lost: the server stops and its directory is removed.
    await runCleanup(originalSteps);
    await original.destroy();

    // Restore into a new, empty server set up like production (AOF on): stop it, put the file
    // into its `dir`, start it once with AOF off (with AOF on, Redis reads only the append-only
    // file and would start empty), check, then turn AOF on: Redis writes it from what it loaded.
    const restored = await startServer({ appendOnly: true, args: ['--appendfsync', 'everysec'] });
    const probe: Cleanup = [];
    const empty = adminClient(restored, probe);
    expect(await empty.dbsize()).toBe(0);
    const [, restoredDir] = (await empty.config('GET', 'dir')) as [string, string];
    const [, restoredFile] = (await empty.config('GET', 'dbfilename')) as [string, string];
    await runCleanup(probe);
    await restored.stop();
    copyFileSync(join(backupDir, 'dump.rdb'), join(restoredDir, restoredFile));
    await restored.restart({ args: ['--appendonly', 'no'] });

    // Verify before any worker runs: the jobs wait as they did.
    const after = setupQueue(restored, cleanup, before.prefix);
    const producer = after.producer(definition);
    await producer.connect();
    const restoredCounts = {
      waiting: ready.length + 1,
      delayed: delayed.length + 1, // and the schedule's next run
      active: 0,
      completed: 0,
    };
    expect(await producer.counts()).toMatchObject(restoredCounts);

    // AOF on again; once it is written, the restored data survives a restart without the snapshot.
    const restoredAdmin = adminClient(restored, cleanup);
    await enableAppendOnly(restoredAdmin);
    rmSync(join(restoredDir, restoredFile));
    await restored.restart();
    await waitFor(() => producer.counts(), { timeoutMs: 30_000, what: 'the restarted server' });
    expect(await producer.counts()).toMatchObject(restoredCounts);

    // The schedule is there, and an idempotency key used before the backup still adds nothing.
    const inspect = after.inspect(definition);
    const restoredSchedules = await inspect.getJobSchedulers();
    expect(restoredSchedules).toMatchObject([
      { key: 'new-year', pattern: '0 3 1 1 *', template: { data: { day: 'new-year' } } },
    ]);
    expect(await producer.enqueue('digest', digest, { idempotencyKey: 'digest:2026-05-01' })).toEqual({
      id: keyed.id,
      deduplicated: true,
    });

    // A worker of the restored queue (declaring the schedule, as the app's does) runs each job once.
    const result = await workOff(after, definition, expected, schedules);
    expect(result.counts.delayed).toBe(1); // the schedule's next run, not a second one
    expect(result.runs.some((run) => run.context.scheduleId)).toBe(false);
    expect((await inspect.getJobSchedulers()).map((scheduler) => scheduler.key)).toEqual(['new-year']);

    console.info(
      [
        'RDB backup and restore of a queue:',
        `  in the snapshot: ${ready.length + 1} waiting, ${delayed.length} delayed (${DELAY_MS / 1000} s), 1 schedule`,
        '  restored with AOF off, AOF turned on, restarted from the AOF alone: the same counts',
        `  then ${result.runs.length} jobs run, each once; the schedule present, not duplicated`,
        `  the worker started ${secondsToFirstDue(result.runs, delayed, result.workerStartedAt).toFixed(1)} s before the delayed jobs were due`,
      ].join('\n'),
    );
  });

  it('keeps the jobs acknowledged before a crash with appendonly yes and appendfsync everysec', async () => {
    const definition = mailQueue('crashed');
    // `save ""` (test-utils' default) and SIGKILL: no RDB is written, so what comes back after
    // the restart comes from the append-only file alone.
    const server = await startServer({ appendOnly: true, args: ['--appendfsync', 'everysec'] });
    const setup = setupQueue(server, cleanup);

    const delayed = await enqueueWelcomes(setup, definition, 8, 2, DELAY_MS);
    const early = [...(await enqueueWelcomes(setup, definition, 0, 8)), ...delayed];
    // What everysec can lose: Redis appends each write to the file before it replies, but while
    // the background fsync of the previous second is still running (a busy disk) it keeps new
    // writes in memory for up to 2 s and replies anyway; the file is fsynced once a second. So a
    // crash of the process can lose up to ~2 s of acknowledged writes, and a crash of the machine
    // also what the OS had not yet flushed. Jobs acknowledged more than 2 s before the crash are
    // in the file, so the test waits that long and a margin for a busy machine before the kill.
    await sleep(5000);
    // Enqueued just before the crash: they may or may not be in the file, and are not asserted.
    const late = await enqueueWelcomes(setup, definition, 10, 3);

    await server.kill(); // SIGKILL: a crash, nothing flushed on the way out
    await server.restart(); // the same config and `dir`: it loads the append-only file

    const inspect = setup.inspect(definition);
    const stored = async (job: Enqueued) => (await inspect.getJob(job.id)) !== undefined;
    const earlyMissing = (
      await Promise.all(early.map(async (job) => ((await stored(job)) ? [] : [job.id])))
    ).flat();
    expect(earlyMissing, 'jobs acknowledged 5 s before the crash, missing after it').toEqual([]);
    const lateKept = (
      await Promise.all(late.map(async (job) => ((await stored(job)) ? job : undefined)))
    ).filter((job) => job !== undefined);
    const result = await workOff(setup, definition, [...early, ...lateKept]);
    expect(result.counts.delayed).toBe(0);

    console.info(
      [
        'AOF (appendfsync everysec) and a SIGKILL:',
        `  acknowledged more than 5 s before the kill: ${early.length}, all run once after the restart`,
        `  enqueued just before the kill: ${late.length}, in the file after it: ${lateKept.length}`,
        `  the worker started ${secondsToFirstDue(result.runs, delayed, result.workerStartedAt).toFixed(1)} s before the delayed jobs were due`,
      ].join('\n'),
    );
  });
});
