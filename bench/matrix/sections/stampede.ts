// Cold-key stampede across processes: 2 or 4 processes ask for the same cold keys at once, from
// many callers each; a cache that protects its source loads each key once in all.
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { commandDelta, totalCalls } from '../commandstats.js';
import { withCellRedis, type CellGroup, type CellInfo, type Context } from '../cell.js';
import {
  cellHeader,
  jsonNumber,
  type CellResult,
  type ContenderSummary,
  type TargetResult,
} from '../results.js';
import type { FromWorker, StampedeContender, ToWorker } from '../stampede-worker.js';
import { rotate, spread } from '../stats.js';

const KEYS_PER_ROUND = 20;
const CALLERS_PER_KEY = 10;
const LOAD_MS = 50;
const READY_TIMEOUT_MS = 120_000;
const RUN_TIMEOUT_MS = 60_000;

const CONTENDERS: Array<{ id: StampedeContender; label: string; role: ContenderSummary['role'] }> = [
  { id: 'rnh', label: '@rnh/cache getOrSet (load lock, default options)', role: 'ours' },
  { id: 'raw-ioredis', label: 'raw ioredis GET, load, SET', role: 'peer' },
  { id: 'bentocache', label: 'bentocache getOrSet (L2 redis only)', role: 'peer' },
  { id: 'cache-manager', label: 'cache-manager wrap (Keyv + @keyv/redis)', role: 'peer' },
];

function stampedeCell(processes: number): CellInfo {
  return {
    id: `cache/stampede/${processes}proc`,
    section: 'cache',
    title:
      `Cold-key stampede: ${processes} processes x ${CALLERS_PER_KEY} callers ask for each of ${KEYS_PER_ROUND} cold keys ` +
      `at once, loader ${LOAD_MS} ms; loader calls counted per key`,
    params: { processes, keys: KEYS_PER_ROUND, callersPerKey: CALLERS_PER_KEY, loadMs: LOAD_MS },
  };
}

/** A forked stampede process and a way to ask it something and wait for the answer. */
class Worker {
  private readonly child: ChildProcess;
  private pending: { resolve(message: FromWorker): void; reject(error: Error): void } | undefined;
  private exited = false;

  constructor() {
    this.child = fork(fileURLToPath(new URL('../stampede-worker.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: FromWorker) => {
      const pending = this.pending;
      this.pending = undefined;
      if (message.type === 'failed') pending?.reject(new Error(`stampede process failed: ${message.error}`));
      else pending?.resolve(message);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      this.pending?.reject(new Error(`stampede process exited (code ${code}, signal ${signal})`));
      this.pending = undefined;
    });
  }

  ask(message: ToWorker, timeoutMs: number): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to ${message.type} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending = {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.child.send(message);
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    if (this.child.connected) this.child.send({ type: 'close' } satisfies ToWorker);
    else this.child.kill('SIGTERM');
    await gone;
    clearTimeout(killer);
  }
}

interface ContenderRounds {
  loadsPerKey: number[];
  calls: number;
  errors: number;
  firstError?: string;
  roundMs: number[];
  commands: Map<string, number>;
  serverCpuSeconds: number;
}

async function runStampede(cell: CellInfo, processes: number, context: Context): Promise<CellResult> {
  const started = performance.now();
  return withCellRedis(context, async (server) => {
    const workers = Array.from({ length: processes }, () => new Worker());
    try {
      context.progress(`starting ${processes} processes`);
      await Promise.all(
        workers.map((worker) =>
          worker.ask({ type: 'setup', host: server.host, port: server.port }, READY_TIMEOUT_MS),
        ),
      );
      const rounds = new Map<StampedeContender, ContenderRounds>(
        CONTENDERS.map((c) => [
          c.id,
          { loadsPerKey: [], calls: 0, errors: 0, roundMs: [], commands: new Map(), serverCpuSeconds: 0 },
        ]),
      );
      for (let round = 0; round < context.settings.rounds; round++) {
        for (const contender of rotate(CONTENDERS, round)) {
          const keys = Array.from(
            { length: KEYS_PER_ROUND },
            (_, index) => `stampede:${contender.id}:r${round}:k${index}`,
          );
          const tally = rounds.get(contender.id)!;
          const first = await server.probe.snapshot();
          const began = performance.now();
          const answers = await Promise.all(
            workers.map((worker) =>
              worker.ask(
                { type: 'run', contender: contender.id, keys, callers: CALLERS_PER_KEY, loadMs: LOAD_MS },
                RUN_TIMEOUT_MS,
              ),
            ),
          );
          tally.roundMs.push(performance.now() - began);
          const last = await server.probe.snapshot();
          for (const [command, calls] of commandDelta(first, last))
            tally.commands.set(command, (tally.commands.get(command) ?? 0) + calls);
          tally.serverCpuSeconds += last.cpuSeconds - first.cpuSeconds;
          const loads = new Map(keys.map((key) => [key, 0]));
          for (const answer of answers) {
            if (answer.type !== 'result') continue;
            tally.calls += answer.calls;
            tally.errors += answer.errors;
            tally.firstError ??= answer.firstError;
            for (const [key, count] of Object.entries(answer.loads))
              loads.set(key, (loads.get(key) ?? 0) + count);
          }
          tally.loadsPerKey.push(...loads.values());
          const perKey = spread([...loads.values()]);
          context.progress(
            `round ${round + 1}/${context.settings.rounds} ${contender.label}: loads per key ` +
              `${perKey.median} (${perKey.min}-${perKey.max})`,
          );
        }
      }
      const contenders = CONTENDERS.map((c) => summarize(c, rounds.get(c.id)!));
      const ours = rounds.get('rnh')!;
      const allOne = ours.loadsPerKey.length > 0 && ours.loadsPerKey.every((loads) => loads === 1);
      const worst = ours.loadsPerKey.length > 0 ? Math.max(...ours.loadsPerKey) : Number.NaN;
      const target: TargetResult = {
        label: `${processes} processes: @rnh/cache loads each cold key exactly once`,
        kind: 'exact',
        ours: 'rnh',
        expected: 1,
        value: jsonNumber(worst),
        verdict: allOne && ours.errors === 0 ? 'PASS' : 'FAIL',
        ...(allOne && ours.errors === 0
          ? {}
          : {
              note:
                `loads per key ${Math.min(...ours.loadsPerKey)}-${worst} over ${ours.loadsPerKey.length} keys` +
                (ours.errors > 0 ? `, ${ours.errors} errors (${ours.firstError})` : ''),
            }),
      };
      return {
        ...cellHeader(cell),
        status: 'ok',
        contenders,
        ratios: [],
        targets: [target],
        seconds: jsonNumber((performance.now() - started) / 1000) ?? 0,
      };
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
    }
  });
}

function summarize(contender: (typeof CONTENDERS)[number], rounds: ContenderRounds): ContenderSummary {
  const loads = spread(rounds.loadsPerKey);
  const commands = totalCalls(rounds.commands);
  const commandsPerOp: Record<string, number> = {};
  for (const command of [...rounds.commands.keys()].sort()) {
    const perCall = rounds.commands.get(command)! / Math.max(1, rounds.calls);
    if (perCall >= 0.001) commandsPerOp[command] = jsonNumber(perCall)!;
  }
  return {
    id: contender.id,
    label: contender.label,
    role: contender.role,
    opsPerSec: null,
    latencyMs: { p50: null, p99: null },
    redisCommandsPerOp: jsonNumber(commands / Math.max(1, rounds.calls)),
    commandsPerOp,
    nodeCpuMicrosPerOp: null,
    redisCpuMicrosPerOp: jsonNumber((rounds.serverCpuSeconds * 1e6) / Math.max(1, rounds.calls)),
    ops: rounds.calls,
    errors: rounds.errors,
    misses: 0,
    ...(rounds.firstError ? { firstError: rounds.firstError } : {}),
    extra: {
      keys: rounds.loadsPerKey.length,
      loadsPerKeyMedian: loads.median,
      loadsPerKeyMin: loads.min,
      loadsPerKeyMax: loads.max,
      totalLoads: rounds.loadsPerKey.reduce((sum, value) => sum + value, 0),
      roundMsMedian: jsonNumber(spread(rounds.roundMs).median) ?? 0,
    },
  };
}

export function stampedeGroups(): CellGroup[] {
  return [2, 4].map((processes) => {
    const cell = stampedeCell(processes);
    return {
      cells: [cell],
      async run(_selected, context) {
        context.begin(cell);
        context.done(await runStampede(cell, processes, context));
      },
    };
  });
}
