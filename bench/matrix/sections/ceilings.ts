// Reference ceilings measured in the same run: what the bench's redis-server answers to
// redis-benchmark (GET, SET, EVALSHA), and what a bare ioredis GET reaches with and without
// auto-pipelining. No targets: they say how far the packages are from the floor of the stack.
import { execFile, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { Operation } from '../../lib/measure.js';
import { singleCell, withCellRedis, type CellGroup, type CellInfo, type Context } from '../cell.js';
import { commandDelta, totalCalls } from '../commandstats.js';
import { parseRedisBenchmarkCsv } from '../redis-benchmark.js';
import { runRatioCell, type MatrixContender } from '../ratio-cell.js';
import {
  cellHeader,
  jsonNumber,
  jsonSpread,
  skippedCell,
  type CellResult,
  type ContenderSummary,
} from '../results.js';
import { spread } from '../stats.js';

const run = promisify(execFile);

const VALUE_BYTES = 100;
const KEYS = 100_000;
const CLIENTS = 50;
const CONCURRENCY = 64;
/** The script EVALSHA runs: one GET, as small as a script gets. */
const SCRIPT = "return redis.call('GET', KEYS[1])";

const BENCHMARK_CELL: CellInfo = {
  id: 'ceiling/redis-benchmark',
  section: 'ceiling',
  title: `redis-benchmark GET, SET and EVALSHA (a one-GET script): ${VALUE_BYTES} B values, ${KEYS / 1000}k random keys, ${CLIENTS} clients, no pipelining`,
  params: { valueBytes: VALUE_BYTES, keys: KEYS, clients: CLIENTS },
};

const IOREDIS_CELL: CellInfo = {
  id: 'ceiling/ioredis-get',
  section: 'ceiling',
  title: `raw ioredis GET (${VALUE_BYTES} B, no JSON.parse, ${KEYS / 1000}k keys), auto-pipelining on vs off, ${CONCURRENCY} in flight`,
  params: { valueBytes: VALUE_BYTES, keys: KEYS, concurrency: CONCURRENCY },
};

/** redis-benchmark next to redis-server (REDIS_SERVER_BIN), else on the PATH; undefined when absent. */
function findRedisBenchmark(): string | undefined {
  const candidates = [
    ...(process.env.REDIS_SERVER_BIN ? [join(dirname(process.env.REDIS_SERVER_BIN), 'redis-benchmark')] : []),
    'redis-benchmark',
  ];
  return candidates.find(
    (candidate) => spawnSync(candidate, ['--version'], { encoding: 'utf8' }).status === 0,
  );
}

async function runRedisBenchmark(context: Context): Promise<CellResult> {
  const binary = findRedisBenchmark();
  if (!binary)
    return skippedCell(
      BENCHMARK_CELL,
      'redis-benchmark is not installed (Debian: apt-get install redis-tools)',
    );
  const started = performance.now();
  const requests = context.quick ? 10_000 : 50_000;
  return withCellRedis(context, async (server) => {
    const sha = String(await server.probe.call('SCRIPT', 'LOAD', SCRIPT));
    // SET first, so GET and the script read values that exist.
    const tests = [
      { id: 'redis-benchmark-set', label: 'redis-benchmark SET', args: ['-t', 'set'] },
      { id: 'redis-benchmark-get', label: 'redis-benchmark GET', args: ['-t', 'get'] },
      {
        id: 'redis-benchmark-evalsha',
        label: 'redis-benchmark EVALSHA (one GET)',
        args: ['evalsha', sha, '1', 'key:__rand_int__'],
      },
    ];
    const rounds = new Map(
      tests.map((test) => [
        test.id,
        {
          rps: [] as number[],
          p50: [] as number[],
          p99: [] as number[],
          commands: new Map<string, number>(),
          requests: 0,
          cpu: 0,
        },
      ]),
    );
    for (let round = 0; round < context.settings.rounds; round++) {
      for (const test of tests) {
        const first = await server.probe.snapshot();
        const { stdout } = await run(binary, [
          '-h',
          server.host,
          '-p',
          String(server.port),
          '-c',
          String(CLIENTS),
          '-n',
          String(requests),
          '-d',
          String(VALUE_BYTES),
          '-r',
          String(KEYS),
          '--csv',
          ...test.args,
        ]);
        const last = await server.probe.snapshot();
        const row = parseRedisBenchmarkCsv(stdout)[0];
        if (!row) throw new Error(`redis-benchmark printed no result for ${test.label}:\n${stdout}`);
        const tally = rounds.get(test.id)!;
        tally.rps.push(row.rps);
        if (row.p50Ms !== undefined) tally.p50.push(row.p50Ms);
        if (row.p99Ms !== undefined) tally.p99.push(row.p99Ms);
        tally.requests += requests;
        tally.cpu += last.cpuSeconds - first.cpuSeconds;
        for (const [command, calls] of commandDelta(first, last))
          tally.commands.set(command, (tally.commands.get(command) ?? 0) + calls);
        context.progress(
          `round ${round + 1}/${context.settings.rounds} ${test.label}: ${Math.round(row.rps)} requests/s`,
        );
      }
    }
    const contenders: ContenderSummary[] = tests.map((test) => {
      const tally = rounds.get(test.id)!;
      const commandsPerOp: Record<string, number> = {};
      for (const command of [...tally.commands.keys()].sort()) {
        const perOp = tally.commands.get(command)! / tally.requests;
        if (perOp >= 0.001) commandsPerOp[command] = jsonNumber(perOp)!;
      }
      return {
        id: test.id,
        label: test.label,
        role: 'info',
        opsPerSec: {
          ...jsonSpread(spread(tally.rps)),
          perRound: tally.rps.map((rps) => jsonNumber(rps) ?? 0),
        },
        // redis-benchmark's own percentiles, the median over the rounds.
        latencyMs: { p50: jsonNumber(spread(tally.p50).median), p99: jsonNumber(spread(tally.p99).median) },
        redisCommandsPerOp: jsonNumber(totalCalls(tally.commands) / tally.requests),
        commandsPerOp,
        nodeCpuMicrosPerOp: null,
        redisCpuMicrosPerOp: jsonNumber((tally.cpu * 1e6) / tally.requests),
        ops: tally.requests,
        errors: 0,
        misses: 0,
      };
    });
    return {
      ...cellHeader(BENCHMARK_CELL),
      status: 'ok',
      contenders,
      ratios: [],
      targets: [],
      seconds: jsonNumber((performance.now() - started) / 1000) ?? 0,
    };
  });
}

function ioredisGet(
  host: string,
  port: number,
  autoPipelining: boolean,
  keys: string[],
  pick: (index: number) => number,
): MatrixContender {
  let client: Redis | undefined;
  return {
    id: autoPipelining ? 'ioredis-get-ap' : 'ioredis-get',
    label: `ioredis GET (${autoPipelining ? 'auto-pipelining' : 'no auto-pipelining'})`,
    group: IOREDIS_CELL.title,
    role: 'info',
    async setup() {
      client = new Redis({ host, port, enableAutoPipelining: autoPipelining });
      client.on('error', () => undefined);
      const redis = client;
      const op: Operation = async (index) => {
        if ((await redis.get(keys[pick(index)]!)) === null) throw new Error('a preloaded key was missing');
      };
      await op(0);
      return op;
    },
    async close() {
      await client?.quit().catch(() => client?.disconnect());
    },
  };
}

async function runIoredisGet(context: Context): Promise<CellResult> {
  return withCellRedis(context, async (server) => {
    const keys = Array.from({ length: KEYS }, (_, index) => `ceiling:${index}`);
    const loader = new Redis({ host: server.host, port: server.port });
    try {
      const value = 'v'.repeat(VALUE_BYTES);
      for (let start = 0; start < keys.length; start += 1000) {
        const pipeline = loader.pipeline();
        for (const key of keys.slice(start, start + 1000)) pipeline.set(key, value);
        await pipeline.exec();
      }
    } finally {
      loader.disconnect();
    }
    // A cheap key choice (multiplicative hash of the index), the same for both contenders.
    const pick = (index: number) => (Math.imul(index, 2654435761) >>> 0) % KEYS;
    return runRatioCell(
      {
        info: IOREDIS_CELL,
        contenders: [
          ioredisGet(server.host, server.port, true, keys, pick),
          ioredisGet(server.host, server.port, false, keys, pick),
        ],
        comparisons: [{ ours: 'ioredis-get-ap', peer: 'ioredis-get' }],
        concurrency: CONCURRENCY,
        probe: server.probe,
      },
      context,
    );
  });
}

export function ceilingGroups(): CellGroup[] {
  return [singleCell(BENCHMARK_CELL, runRedisBenchmark), singleCell(IOREDIS_CELL, runIoredisGet)];
}
