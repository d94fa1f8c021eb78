// Queue benchmark: jobs/s added and processed by @rnh/queue (metrics and tracing on) against
// raw BullMQ, in one run against one redis-server started for it. See README.md.
import { defaultRedisOptions, RedisConnections } from '@rnh/redis-client';
import { createLogger, createMetricsRegistry } from '@rnh/telemetry';
import { pino } from 'pino';
import { chooseContenders, parseOptions } from './lib/options.js';
import { withRedisServer } from './lib/redis.js';
import {
  problemLines,
  judge,
  machineLine,
  ratioLine,
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

/** Ratios shown for information: tracing's own cost (floor vs raw) and the wrapper's beyond it. */
const FLOORS: Array<[label: string, ours: string, theirs: string]> = [
  ['Add: floor vs BullMQ Queue.add()', 'add:floor', 'add:bullmq'],
  ['Add: QueueProducer.enqueue() vs floor (the wrapper beyond tracing)', 'add:rnh', 'add:floor'],
  ['Process: floor vs BullMQ Worker', 'process:floor', 'process:bullmq'],
  ['Process: QueueWorker vs floor (the wrapper beyond tracing)', 'process:rnh', 'process:floor'],
];

const progress = (line: string) => process.stderr.write(`  .. ${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const options = parseOptions(process.argv.slice(2), process.env, {
    defaults: { concurrency: 50, rounds: 5 },
    extra: {
      jobs: { flag: 'jobs', env: 'BENCH_JOBS', fallback: 20_000, min: 1, help: 'jobs per trial' },
      samplePercent: {
        flag: 'sample-percent',
        env: 'BENCH_SAMPLE_PERCENT',
        fallback: 100,
        min: 0,
        max: 100,
        help: 'traces sampled, in percent (100: AlwaysOn; below: parent-based trace-id ratio)',
      },
      warmupJobs: {
        flag: 'warmup-jobs',
        env: 'BENCH_WARMUP_JOBS',
        fallback: 2000,
        min: 0,
        help: 'jobs of the one warm-up trial per contender',
      },
    },
  });
  const tracing = startTracing(options.samplePercent);
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
      const chosen = chooseContenders(all, options.only);

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
      for (const line of problemLines(
        results,
        (count) => `${count} trials left the queue with other job counts than expected`,
      ))
        console.log(line);

      console.log('');
      const sampled = options.samplePercent < 100 ? `, ${options.samplePercent} % of traces sampled` : '';
      console.log(`Targets (@rnh/queue with metrics and tracing on${sampled})`);
      for (const target of TARGETS) console.log(`  ${judge(target, results).line}`);
      if (results.some((result) => result.contender.id.endsWith(':floor'))) {
        console.log('');
        console.log(
          'Tracing floor (raw BullMQ + one span per job, its context in the job; no wrapper): ' +
            'a wrapper that traces every job cannot beat it',
        );
        for (const [label, ours, theirs] of FLOORS)
          console.log(`  ${ratioLine(label, ours, theirs, results)}`);
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
