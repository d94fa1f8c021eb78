// Queue benchmark: jobs/s added and processed by @rnh/queue (metrics and tracing on) against
// raw BullMQ, in one run against one redis-server started for it. See README.md.
import { defaultRedisOptions, RedisConnections } from '@rnh/redis-client';
import { createLogger, createMetricsRegistry } from '@rnh/telemetry';
import { pino } from 'pino';
import { parseOptions } from './lib/options.js';
import { withRedisServer } from './lib/redis.js';
import {
  describeError,
  judge,
  machineLine,
  resultsTable,
  runBenchmark,
  runTookLine,
  type Target,
} from './lib/report.js';
import { runTrials, type ContenderResult, type TrialContender } from './lib/runner.js';
import { startTracing } from './lib/tracing.js';
import {
  ADD_GROUP,
  bullmqAdd,
  bullmqProcess,
  payload,
  PROCESS_GROUP,
  rnhAdd,
  rnhProcess,
  type RnhApp,
  type Setting,
} from './queue/contenders.js';
import { floorAdd, floorProcess } from './queue/floor.js';

const TARGETS: Target[] = [
  {
    label: 'Add: QueueProducer.enqueue() vs BullMQ Queue.add()',
    ours: 'add:rnh',
    theirs: 'add:bullmq',
    atLeast: 0.9,
  },
  {
    label: 'Process: QueueWorker vs BullMQ Worker',
    ours: 'process:rnh',
    theirs: 'process:bullmq',
    atLeast: 0.9,
  },
];

const FLOORS = [
  { group: 'Add', ours: 'add:rnh', floor: 'add:floor', raw: 'add:bullmq' },
  { group: 'Process', ours: 'process:rnh', floor: 'process:floor', raw: 'process:bullmq' },
];

/** `Add: floor 0.92x BullMQ; @rnh/queue 0.85x floor`, when all three ran. */
function floorLine(
  floor: (typeof FLOORS)[number],
  results: Array<ContenderResult<TrialContender>>,
): string | undefined {
  const rate = (id: string) => results.find((result) => result.contender.id === id)?.opsPerSec;
  const [ours, floorRate, raw] = [rate(floor.ours), rate(floor.floor), rate(floor.raw)];
  if (!ours || !floorRate || !raw) return undefined;
  return (
    `${floor.group}: floor vs raw BullMQ ${(floorRate / raw).toFixed(2)}x; ` +
    `@rnh/queue vs floor ${(ours / floorRate).toFixed(2)}x (what the wrapper costs beyond tracing itself)`
  );
}

const progress = (line: string) => process.stderr.write(`  .. ${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const options = parseOptions(process.argv.slice(2), process.env, {
    defaults: { concurrency: 50, rounds: 5 },
    extra: {
      jobs: { flag: 'jobs', env: 'BENCH_JOBS', fallback: 20_000, min: 1, help: 'jobs per trial' },
      warmupJobs: {
        flag: 'warmup-jobs',
        env: 'BENCH_WARMUP_JOBS',
        fallback: 2000,
        min: 0,
        help: 'jobs of the one warm-up trial per contender',
      },
    },
  });
  const tracing = startTracing();
  try {
    await withRedisServer(async ({ server, version, cpuSeconds }) => {
      const setting: Setting = { host: server.host, port: server.port, concurrency: options.concurrency };
      const registry = createMetricsRegistry({ defaultLabels: { app: 'bench' } });
      const logger = createLogger({ name: 'bench', level: 'warn', destination: pino.destination(2) });
      const connections = new RedisConnections({
        options: defaultRedisOptions({ host: server.host, port: server.port, keyPrefix: 'bench:' }),
        logger,
        registry,
      });
      const app: RnhApp = { connections, registry, logger };
      const jobs = options.jobs.toLocaleString('en-US');
      const groups = {
        [ADD_GROUP]: `Add: ${jobs} jobs per trial, ${options.concurrency} adds in flight`,
        [PROCESS_GROUP]:
          `Process: ${jobs} jobs pre-filled per trial, no-op handler, worker concurrency ${options.concurrency}; ` +
          `timed from the worker's start until the last job is completed`,
      };

      console.log('Queue benchmark: jobs per second added and processed, one run, one redis-server');
      console.log(`  ${machineLine()}`);
      console.log(`  redis-server ${version} on ${server.host}:${server.port} (started for this run)`);
      console.log(
        `  job: "welcome" ${JSON.stringify(payload(0))} (same payload and job options for both; ` +
          "raw BullMQ gets @rnh/queue's retry and retention defaults as defaultJobOptions)",
      );
      console.log(
        `  load: ${options.rounds} rounds x ${jobs} jobs per contender and trial, interleaved, median reported; ` +
          `one warm-up trial of ${options.warmupJobs.toLocaleString('en-US')} jobs each`,
      );
      console.log(
        '  @rnh/queue: metrics ON (prom-client registry: queue and redis client metrics, exemplars); ' +
          tracing.description,
      );
      console.log('');

      const all = [
        rnhAdd(setting, app),
        floorAdd(setting),
        bullmqAdd(setting),
        rnhProcess(setting, app),
        floorProcess(setting),
        bullmqProcess(setting),
      ];
      const chosen =
        options.only.length === 0
          ? all
          : all.filter((contender) => options.only.some((part) => contender.id.includes(part)));
      if (chosen.length === 0) throw new Error(`--only=${options.only.join(',')} matches no contender`);

      let results: Array<ContenderResult<TrialContender>>;
      try {
        await connections.connect();
        results = await runTrials(chosen, {
          rounds: options.rounds,
          size: options.jobs,
          warmupSize: options.warmupJobs,
          progress,
          serverCpuSeconds: cpuSeconds,
        });
      } finally {
        await connections.close();
      }

      console.log('');
      console.log(
        'ops/s: jobs per second (added, or processed to completion), median of the rounds; node µs/op: CPU of ' +
          "this process (all threads) per job; redis µs/op: CPU of redis-server's main thread per job",
      );
      for (const group of [ADD_GROUP, PROCESS_GROUP]) {
        const rows = results.filter((result) => result.contender.group === group);
        if (rows.length === 0) continue;
        console.log('');
        console.log(groups[group]);
        console.log(resultsTable(rows, { missesLabel: 'wrong counts' }));
      }
      for (const result of results) {
        if (result.errors > 0)
          console.log(
            `  ! ${result.contender.label}: ${result.errors} errors, first: ${describeError(result.firstError)}`,
          );
        if (result.misses > 0)
          console.log(
            `  ! ${result.contender.label}: ${result.misses} trials left the queue with other job counts than expected`,
          );
      }

      console.log('');
      console.log('Targets (@rnh/queue with metrics and tracing on)');
      for (const target of TARGETS) console.log(`  ${judge(target, results).line}`);
      const floorLines = FLOORS.map((floor) => floorLine(floor, results)).filter(
        (text) => text !== undefined,
      );
      if (floorLines.length > 0) {
        console.log('');
        console.log(
          'Tracing floor (raw BullMQ + one span per job and the trace context in the job; no wrapper): ' +
            'no wrapper that traces every job can beat it',
        );
        for (const text of floorLines) console.log(`  ${text}`);
      }

      await tracing.flush();
      const spans = (names: ReadonlyMap<string, number>, prefix: string) =>
        [...names].filter(([name]) => name.startsWith(prefix)).reduce((sum, [, value]) => sum + value, 0);
      const line = (prefix: string) => {
        const ended = spans(tracing.endedByName(), prefix);
        const exported = spans(tracing.exportedByName(), prefix);
        return (
          `${ended.toLocaleString('en-US')} "${prefix}<queue>" spans ended, ${exported.toLocaleString('en-US')} exported` +
          (ended > exported
            ? ` (${(ended - exported).toLocaleString('en-US')} dropped by the full batch queue)`
            : '')
        );
      };
      console.log('');
      console.log(`Evidence: ${line('send ')}`);
      console.log(`          ${line('process ')}`);
      for (const name of ['queue_jobs_enqueued_total', 'queue_jobs_completed_total']) {
        const metric = await registry.getSingleMetric(name)?.get();
        const byQueue = (metric?.values ?? [])
          .map((sample) => `${sample.labels.queue}=${sample.value.toLocaleString('en-US')}`)
          .join(', ');
        console.log(`          ${name}: ${byQueue || 'none'}`);
      }
      console.log('');
      console.log(runTookLine(started));
    });
  } finally {
    await tracing.shutdown();
  }
}

runBenchmark('queue', main);
