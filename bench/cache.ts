// Cache benchmark: L2 and L1 hit throughput of @rnh/cache (metrics and tracing on) against raw ioredis,
// bentocache and cache-manager, in one run against one redis-server started for it. See README.md.
import { defaultRedisOptions, RedisConnections } from '@rnh/redis-client';
import { createLogger, createMetricsRegistry } from '@rnh/telemetry';
import { pino } from 'pino';
import {
  bentocacheL1,
  bentocacheL2,
  cacheManager,
  L1_GROUP,
  L2_GROUP,
  rawIoredis,
  rnhCache,
  type RnhApp,
  type Setting,
} from './cache/contenders.js';
import { userProfile } from './cache/profile.js';
import { chooseContenders, parseOptions } from './lib/options.js';
import { withRedisServer } from './lib/redis.js';
import {
  problemLines,
  judge,
  machineLine,
  redisCommandsTimedLine,
  resultsTable,
  runBenchmark,
  runTookLine,
  type Target,
} from './lib/report.js';
import { runContenders, type ContenderResult } from './lib/runner.js';
import { startTracing } from './lib/tracing.js';

const TARGETS: Target[] = [
  {
    label: 'L2 hit vs raw ioredis (no auto-pipelining)',
    ours: 'rnh-l2',
    theirs: 'raw-ioredis',
    atLeast: 1.0,
  },
  { label: 'L2 hit vs bentocache L2', ours: 'rnh-l2', theirs: 'bentocache-l2', atLeast: 1.5 },
  { label: 'L1 hit vs bentocache L1', ours: 'rnh-l1', theirs: 'bentocache-l1', atLeast: 5.0 },
];

const progress = (line: string) => process.stderr.write(`  .. ${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const options = parseOptions(process.argv.slice(2), process.env);
  const tracing = startTracing();
  try {
    await withRedisServer(async ({ server, version, cpuSeconds }) => {
      const value = userProfile();
      const setting: Setting = {
        host: server.host,
        port: server.port,
        value,
        keys: Array.from({ length: options.keys }, (_, index) => `user:${index}:profile`),
        ttlSeconds: 3600,
      };
      const registry = createMetricsRegistry({ defaultLabels: { app: 'bench' } });
      const logger = createLogger({ name: 'bench', level: 'warn', destination: pino.destination(2) });
      const connections = new RedisConnections({
        options: defaultRedisOptions({ host: server.host, port: server.port, keyPrefix: 'bench:' }),
        logger,
        registry,
      });
      const app: RnhApp = { connections, registry, logger };

      console.log('Cache benchmark: hit throughput, one run, one redis-server');
      console.log(`  ${machineLine()}`);
      console.log(`  redis-server ${version} on ${server.host}:${server.port} (started for this run)`);
      console.log(
        `  value: ${Buffer.byteLength(JSON.stringify(value))} bytes of JSON (user profile, ` +
          `${value.memberships.length} org memberships, ISO dates); ${options.keys} keys per contender, all preloaded`,
      );
      console.log(
        `  load: ${options.concurrency} requests in flight; ${options.rounds} rounds x ` +
          `${(options.durationMs / 1000).toFixed(1)} s per contender, interleaved, median reported; ` +
          `${(options.warmupMs / 1000).toFixed(1)} s warm-up each`,
      );
      console.log(
        '  @rnh/cache: metrics ON (prom-client registry: cache and redis client metrics, exemplars); ' +
          tracing.description,
      );
      console.log('');

      const all = [
        rawIoredis(setting, false),
        rawIoredis(setting, true),
        rnhCache(setting, app, 'l2'),
        bentocacheL2(setting),
        bentocacheL2(setting, true),
        cacheManager(setting),
        rnhCache(setting, app, 'l1'),
        bentocacheL1(setting),
        bentocacheL1(setting, false),
      ];
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
        'ops/s: median of the rounds; node µs/op: CPU of this process (all threads) per operation; ' +
          "redis µs/op: CPU of redis-server's main thread per operation",
      );
      for (const group of [L2_GROUP, L1_GROUP]) {
        const rows = results.filter((result) => result.contender.group === group);
        if (rows.length === 0) continue;
        console.log('');
        console.log(group);
        console.log(resultsTable(rows));
      }
      for (const line of problemLines(results, (count) => `${count} loader calls (misses) while measuring`))
        console.log(line);

      console.log('');
      console.log('Targets (@rnh/cache with metrics and tracing on)');
      for (const target of TARGETS) {
        const verdict = judge(target, results);
        console.log(`  ${verdict.line}`);
      }

      await tracing.flush();
      const ended = tracing.endedByName().get('cache.getOrSet') ?? 0;
      const exported = tracing.exportedByName().get('cache.getOrSet') ?? 0;
      console.log('');
      const dropped = ended - exported;
      console.log(
        `Evidence: ${ended.toLocaleString('en-US')} cache.getOrSet spans created and ended, ` +
          `${exported.toLocaleString('en-US')} exported` +
          (dropped > 0
            ? ` (${dropped.toLocaleString('en-US')} dropped by the BatchSpanProcessor's full queue)`
            : ''),
      );
      const lookups = await registry.getSingleMetric('cache_lookups_total')?.get();
      const hits = (lookups?.values ?? [])
        .filter((sample) => sample.labels.result === 'hit')
        .map(
          (sample) => `${sample.labels.cache}/${sample.labels.layer}=${sample.value.toLocaleString('en-US')}`,
        );
      console.log(`          cache_lookups_total{result="hit"}: ${hits.join(', ') || 'none'}`);
      console.log(await redisCommandsTimedLine(registry));
      console.log('');
      console.log(runTookLine(started));
    });
  } finally {
    await tracing.shutdown();
  }
}

runBenchmark('cache', main);
