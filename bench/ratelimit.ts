// Rate-limit benchmark: decisions/s of @rnh/ratelimit (metrics and tracing on) against
// rate-limiter-flexible and express-rate-limit + rate-limit-redis, in one run against one
// redis-server started for it, on 1000 distinct keys and on one hot key. See README.md.
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
  type ExtraColumn,
  type Target,
  redisCommandsTimedLine,
  runBenchmark,
  runTookLine,
} from './lib/report.js';
import { runContenders, type ContenderInfo, type ContenderResult } from './lib/runner.js';
import { startTracing } from './lib/tracing.js';
import { erl, rlf, rnh, type RnhApp, type Scenario, type Setting } from './ratelimit/contenders.js';

// Distinct keys: a limit no key gets near in a run, so every decision is "allowed" for every contender.
const DISTINCT_LIMIT = { limit: 1_000_000, windowMs: 60_000 };
// Hot key: 100 per second, so nearly every decision is a denial.
const HOT_LIMIT = { limit: 100, windowMs: 1000 };

const TARGETS: Target[] = [
  {
    label: 'Distinct keys: fixed window vs rate-limiter-flexible',
    ours: 'distinct:rnh-fw',
    theirs: 'distinct:rlf',
    atLeast: 1.5,
  },
  {
    label: 'Hot key: fixed window (local deny cache on) vs rate-limiter-flexible',
    ours: 'hot:rnh-fw',
    theirs: 'hot:rlf',
    atLeast: 1.5,
  },
];

const INFO: Array<[label: string, ours: string, theirs: string]> = [
  [
    'Hot key, Redis every time on both sides: localDenyCache off vs rate-limiter-flexible',
    'hot:rnh-fw-noldc',
    'hot:rlf',
  ],
  [
    'Hot key, in-process on both sides: local deny cache vs rate-limiter-flexible inMemoryBlockOnConsumed',
    'hot:rnh-fw',
    'hot:rlf-memblock',
  ],
  [
    'Distinct keys, both on auto-pipelining clients: fixed window vs rate-limiter-flexible',
    'distinct:rnh-fw',
    'distinct:rlf-ap',
  ],
  [
    'Distinct keys, middleware vs middleware: rateLimit() vs express-rate-limit',
    'distinct:rnh-mw-fw',
    'distinct:erl',
  ],
  ['Hot key, middleware vs middleware: rateLimit() vs express-rate-limit', 'hot:rnh-mw-fw', 'hot:erl'],
];

const COLUMNS: ExtraColumn[] = [
  { header: 'allowed', cell: (result) => count(result, 'allowed') },
  { header: 'denied', cell: (result) => count(result, 'denied') },
  {
    header: 'in-process',
    cell: (result) => (result.contender.id.includes(':rnh-') ? count(result, 'local') : '-'),
  },
];

function count(result: ContenderResult<ContenderInfo>, name: string): string {
  return (result.counts[name] ?? 0).toLocaleString('en-US');
}

const progress = (line: string) => process.stderr.write(`  .. ${line}\n`);

const address = (index: number) => `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;

async function main(): Promise<void> {
  const started = Date.now();
  // 100k keys by default: far more than the limiter remembers key names for (2 x 1024), so
  // each decision pays for its key as it would with real clients (1000 keys hid that cost).
  const options = parseOptions(process.argv.slice(2), process.env, { defaults: { keys: 100_000 } });
  const tracing = startTracing();
  try {
    await withRedisServer(async ({ server, version, cpuSeconds }) => {
      const setting: Setting = { host: server.host, port: server.port };
      const distinct: Scenario = {
        kind: 'distinct',
        group: `Distinct keys: ${options.keys.toLocaleString('en-US')} keys in turn, every decision allowed (limit ${DISTINCT_LIMIT.limit.toLocaleString('en-US')} per ${DISTINCT_LIMIT.windowMs / 1000} s)`,
        keys: Array.from({ length: options.keys }, (_, index) => `client:${index}`),
        ips: Array.from({ length: options.keys }, (_, index) => address(index)),
        ...DISTINCT_LIMIT,
      };
      const hot: Scenario = {
        kind: 'hot',
        group: `Hot key: one key, limit ${HOT_LIMIT.limit} per ${HOT_LIMIT.windowMs / 1000} s, nearly every decision a denial`,
        keys: ['client:hot'],
        ips: ['10.255.255.1'],
        ...HOT_LIMIT,
      };
      const registry = createMetricsRegistry({ defaultLabels: { app: 'bench' } });
      const logger = createLogger({ name: 'bench', level: 'warn', destination: pino.destination(2) });
      const connections = new RedisConnections({
        options: defaultRedisOptions({ host: server.host, port: server.port, keyPrefix: 'bench:' }),
        logger,
        registry,
      });
      const app: RnhApp = { connections, registry, logger };

      console.log('Rate-limit benchmark: decisions per second, one run, one redis-server');
      console.log(`  ${machineLine()}`);
      console.log(`  redis-server ${version} on ${server.host}:${server.port} (started for this run)`);
      console.log(
        `  load: ${options.concurrency} decisions in flight; ${options.rounds} rounds x ` +
          `${(options.durationMs / 1000).toFixed(1)} s per contender, interleaved, median reported; ` +
          `${(options.warmupMs / 1000).toFixed(1)} s warm-up each`,
      );
      console.log(
        '  @rnh/ratelimit: metrics ON (prom-client registry: ratelimit and redis client metrics, exemplars); ' +
          tracing.description,
      );
      console.log(
        '  limiters are called directly (limit(), consume()); middlewares with a fresh mock request and ' +
          'response per decision (no HTTP server)',
      );
      console.log('');

      const all = [distinct, hot].flatMap((scenario) => [
        rlf(scenario, setting),
        rlf(scenario, setting, 'auto-pipelining'),
        ...(scenario.kind === 'hot' ? [rlf(scenario, setting, 'in-memory-block')] : []),
        erl(scenario, setting),
        rnh(scenario, app, { algorithm: 'fixed-window' }),
        ...(scenario.kind === 'hot'
          ? [rnh(scenario, app, { algorithm: 'fixed-window', localDenyCache: false })]
          : []),
        rnh(scenario, app, { algorithm: 'sliding-window' }),
        rnh(scenario, app, { algorithm: 'gcra' }),
        rnh(scenario, app, { algorithm: 'fixed-window', middleware: true }),
      ]);
      const chosen = chooseContenders(all, options.only);

      let results: ContenderResult[];
      try {
        await connections.connect();
        results = await runContenders(chosen, { ...options, progress, serverCpuSeconds: cpuSeconds });
      } finally {
        await connections.close();
      }

      console.log('');
      console.log(
        'ops/s: decisions per second, median of the rounds; node µs/op: CPU of this process (all threads) ' +
          "per decision; redis µs/op: CPU of redis-server's main thread per decision; allowed, denied: " +
          'decisions in the measured rounds; in-process: denials answered by our local deny cache without Redis',
      );
      for (const scenario of [distinct, hot]) {
        const rows = results.filter((result) => result.contender.group === scenario.group);
        if (rows.length === 0) continue;
        console.log('');
        console.log(scenario.group);
        console.log(resultsTable(rows, { columns: COLUMNS, missesLabel: 'unexpected' }));
      }
      for (const line of problemLines(
        results,
        (count) => `${count} unexpected decisions (denied where all must pass, or fail-open)`,
      ))
        console.log(line);

      console.log('');
      console.log('Targets (@rnh/ratelimit with metrics and tracing on)');
      for (const target of TARGETS) console.log(`  ${judge(target, results).line}`);
      console.log('');
      console.log('For information (no target)');
      for (const [label, ours, theirs] of INFO) console.log(`  ${ratioLine(label, ours, theirs, results)}`);

      await tracing.flush();
      const ended = tracing.endedByName().get('ratelimit.limit') ?? 0;
      const exported = tracing.exportedByName().get('ratelimit.limit') ?? 0;
      const dropped = ended - exported;
      console.log('');
      console.log(
        `Evidence: ${ended.toLocaleString('en-US')} ratelimit.limit spans created and ended, ` +
          `${exported.toLocaleString('en-US')} exported` +
          (dropped > 0
            ? ` (${dropped.toLocaleString('en-US')} dropped by the BatchSpanProcessor's full queue)`
            : ''),
      );
      const decisions = await registry.getSingleMetric('ratelimit_decisions_total')?.get();
      const byReason = new Map<string, number>();
      for (const sample of decisions?.values ?? []) {
        const reason = String(sample.labels.reason);
        byReason.set(reason, (byReason.get(reason) ?? 0) + sample.value);
      }
      console.log(
        `          ratelimit_decisions_total by reason: ${
          [...byReason].map(([reason, value]) => `${reason}=${value.toLocaleString('en-US')}`).join(', ') ||
          'none'
        }`,
      );
      console.log(await redisCommandsTimedLine(registry));
      console.log('');
      console.log(runTookLine(started));
    });
  } finally {
    await tracing.shutdown();
  }
}

runBenchmark('ratelimit', main);
