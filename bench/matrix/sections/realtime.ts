// The realtime cell: one broadcast to every client of one server, through Redis pub/sub, as an
// app sends an announcement. Ours: @rnh/realtime with N WebSocket and N SSE clients; the peer:
// Socket.IO with @socket.io/redis-adapter and 2N WebSocket clients (it has no SSE); for context,
// ours with 2N WebSocket clients. Each server runs in a process of its own (its memory is its
// clients'), each has a redis-server of its own and a driver process with its clients and its
// publisher; broadcasts are measured in interleaved rounds.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandDelta } from '../commandstats.js';
import { bundleScript } from '../bundle.js';
import { withCellRedis, type BenchServer, type CellGroup, type CellInfo, type Context } from '../cell.js';
import { openFilesProblem } from '../fd-limit.js';
import { IpcProcess } from '../ipc-process.js';
import type { FromDriver, ToDriver } from '../realtime-driver.js';
import type { FromServer, ServerKind, ToServer } from '../realtime-server.js';
import {
  HEAP_MEASURE,
  LAG_MEASURE,
  MEMORY_MEASURE,
  roundLag,
  summarizeBroadcasts,
  type BroadcastComparison,
  type BroadcastContender,
  type BroadcastRound,
} from '../realtime-summary.js';
import { cellHeader, jsonNumber, type CellResult } from '../results.js';
import { rotate } from '../stats.js';

/** Clients per transport of ours (the peer and ours-WebSocket-only get twice as many WebSockets). */
export const DEFAULT_CLIENTS = 1000;
export const QUICK_CLIENTS = 200;

const BROADCASTS_PER_ROUND = { full: 10, quick: 5 };
const WARMUP_BROADCASTS = 3;
/** Between broadcasts: the servers' writes have drained before the next one. */
const GAP_MS = 50;
/** A delivery later than this counts as missed (a busy 2-core machine can stall for seconds). */
const DELIVERY_TIMEOUT_MS = 15_000;
const CONNECT_CONCURRENCY = 50;
const CONNECT_TIMEOUT_MS = 60_000;
const SETUP_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_MS = 120_000;
const SAMPLE_TIMEOUT_MS = 60_000;
/**
 * --expose-gc: memory is sampled after a full collection, so garbage does not count as clients'.
 * The young generation at a fixed size (16 MiB semi-spaces, what V8 grows it to under load):
 * otherwise V8 grows it while broadcasts allocate and shrinks it when idle, tens of MiB of RSS
 * that come and go between rounds whatever the clients hold. The server fills it before each
 * sample (realtime-server.ts), so it counts alike before and after the clients connect.
 */
const SERVER_NODE_OPTIONS = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'];

/** The baseline is taken once RSS stayed within 1 MiB for 10 samples a second apart. */
const SETTLE = { samples: 10, bytes: 2 ** 20, intervalMs: 1000, maxMs: 90_000 };

const CELL: CellInfo = {
  id: 'realtime/broadcast',
  section: 'realtime',
  title:
    'One broadcast through Redis pub/sub to every client of one server: @rnh/realtime with N WebSocket + N SSE ' +
    'clients vs Socket.IO + @socket.io/redis-adapter with 2N WebSocket clients (N = 1,000, --quick 200, --clients=N); ' +
    'delivery lag and server memory per client (op = one broadcast)',
  params: {},
  quick: true,
};

interface Spec {
  id: string;
  label: string;
  role: BroadcastContender['role'];
  kind: ServerKind;
  websockets: number;
  sse: number;
}

function specs(n: number): Spec[] {
  return [
    {
      id: 'rnh-ws+sse',
      label: `@rnh/realtime hub.broadcast: ${n} WebSocket (attachWebSocket) + ${n} SSE (sseHandler) clients`,
      role: 'ours',
      kind: 'rnh',
      websockets: n,
      sse: n,
    },
    {
      id: 'socketio',
      label: `Socket.IO io.emit via @socket.io/redis-emitter + @socket.io/redis-adapter: ${2 * n} WebSocket clients`,
      role: 'peer',
      kind: 'socketio',
      websockets: 2 * n,
      sse: 0,
    },
    {
      id: 'rnh-ws',
      label: `@rnh/realtime hub.broadcast: ${2 * n} WebSocket clients`,
      role: 'ours',
      kind: 'rnh',
      websockets: 2 * n,
      sse: 0,
    },
  ];
}

const COMPARISONS: BroadcastComparison[] = [
  { ours: 'rnh-ws+sse', peer: 'socketio', lagP99AtMost: 1.0, memoryAtMost: 1.0 },
  { ours: 'rnh-ws', peer: 'socketio' },
];

type Sample = Extract<FromServer, { type: 'sample' }>;

interface Running {
  spec: Spec;
  redis: BenchServer;
  server: IpcProcess<ToServer, FromServer>;
  driver: IpcProcess<ToDriver, FromDriver>;
  port: number;
  baseline?: Sample;
  contender: BroadcastContender;
}

async function sample(running: Running): Promise<Sample> {
  const answer = await running.server.ask({ type: 'sample' }, SAMPLE_TIMEOUT_MS);
  if (answer.type !== 'sample') throw new Error(`${running.spec.id}: the server answered ${answer.type}`);
  return answer;
}

async function startServer(spec: Spec, redis: BenchServer, script: URL, context: Context): Promise<Running> {
  const clients = spec.websockets + spec.sse;
  const server = new IpcProcess<ToServer, FromServer>(script, [], SERVER_NODE_OPTIONS);
  const driver = new IpcProcess<ToDriver, FromDriver>(new URL('../realtime-driver.ts', import.meta.url));
  const running: Running = {
    spec,
    redis,
    server,
    driver,
    port: 0,
    contender: { ...spec, connectSeconds: 0, rounds: [] },
  };
  try {
    const started = await server.ask(
      { type: 'start', kind: spec.kind, redisHost: redis.host, redisPort: redis.port },
      START_TIMEOUT_MS,
    );
    if (started.type !== 'started') throw new Error(`${spec.id}: the server answered ${started.type}`);
    const problem = openFilesProblem(`the ${spec.id} server`, started.openFiles ?? undefined, clients);
    if (problem) throw new Error(problem);
    running.port = started.port;
    context.progress(
      `${spec.id}: server on port ${started.port} (open files limit ${started.openFiles ?? 'unknown'})`,
    );
    return running;
  } catch (error) {
    await Promise.all([driver.close(), server.close()]);
    throw error;
  }
}

/**
 * The server's memory before any client, once it stopped changing: V8 gives back some MiB of
 * start-up memory several seconds after a process started, which would otherwise be taken for
 * clients leaving.
 */
async function settledBaseline(running: Running, context: Context): Promise<Sample> {
  const samples: Sample[] = [];
  const started = performance.now();
  for (;;) {
    samples.push(await sample(running));
    const recent = samples.slice(-SETTLE.samples).map((one) => one.rss);
    const settled =
      recent.length === SETTLE.samples && Math.max(...recent) - Math.min(...recent) <= SETTLE.bytes;
    const late = performance.now() - started > SETTLE.maxMs;
    if (settled || late) {
      const last = samples.at(-1)!;
      context.progress(
        `${running.spec.id}: RSS ${(last.rss / 2 ** 20).toFixed(1)} MiB before clients` +
          (settled
            ? ''
            : ` (still changing after ${SETTLE.maxMs / 1000} s: memory per client is approximate)`),
      );
      return last;
    }
    await sleep(SETTLE.intervalMs);
  }
}

async function connectClients(running: Running, context: Context): Promise<void> {
  const { spec } = running;
  const clients = spec.websockets + spec.sse;
  context.progress(`${spec.id}: connecting ${clients} clients`);
  const ready = await running.driver.ask(
    {
      type: 'setup',
      kind: spec.kind,
      baseUrl: `http://127.0.0.1:${running.port}`,
      redisHost: running.redis.host,
      redisPort: running.redis.port,
      websockets: spec.websockets,
      sse: spec.sse,
      concurrency: CONNECT_CONCURRENCY,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    },
    SETUP_TIMEOUT_MS,
  );
  if (ready.type !== 'ready') throw new Error(`${spec.id}: the driver answered ${ready.type}`);
  const problem = openFilesProblem(`the ${spec.id} clients' process`, ready.openFiles ?? undefined, clients);
  if (problem) throw new Error(problem);
  running.contender.connectSeconds = ready.connectSeconds;
  const connected = await sample(running);
  context.progress(
    `${spec.id}: ${ready.clients} clients in ${ready.connectSeconds.toFixed(1)} s (${ready.checked}); ` +
      `the server counts ${connected.clients}, RSS ${(connected.rss / 2 ** 20).toFixed(1)} MiB`,
  );
}

async function broadcastRound(running: Running, count: number): Promise<BroadcastRound> {
  const clients = running.spec.websockets + running.spec.sse;
  const before = await sample(running);
  const first = await running.redis.probe.snapshot();
  const answer = await running.driver.ask(
    { type: 'broadcasts', count, gapMs: GAP_MS, timeoutMs: DELIVERY_TIMEOUT_MS },
    count * (DELIVERY_TIMEOUT_MS + GAP_MS) + 60_000,
  );
  const last = await running.redis.probe.snapshot();
  const after = await sample(running);
  if (answer.type !== 'lags') throw new Error(`${running.spec.id}: the driver answered ${answer.type}`);
  const baseline = running.baseline!;
  return {
    lags: answer.lags,
    broadcasts: count,
    missed: answer.missed,
    closed: answer.closed,
    rssBytesPerClient: (after.rss - baseline.rss) / clients,
    heapBytesPerClient: (after.heapUsed - baseline.heapUsed) / clients,
    serverCpuMicros: after.cpuMicrosBefore - before.cpuMicrosAfter,
    redisCpuSeconds: last.cpuSeconds - first.cpuSeconds,
    commands: commandDelta(first, last),
    driverCpuMicrosPerDelivery: answer.driverCpuMicrosPerDelivery,
  };
}

/** Three redis-servers of the cell's own, one per contender, stopped after `work`. */
function withThreeRedis<T>(context: Context, work: (servers: BenchServer[]) => Promise<T>): Promise<T> {
  return withCellRedis(context, (a) =>
    withCellRedis(context, (b) => withCellRedis(context, (c) => work([a, b, c]))),
  );
}

async function runBroadcastCell(context: Context): Promise<CellResult> {
  const started = performance.now();
  const n = context.clients ?? (context.quick ? QUICK_CLIENTS : DEFAULT_CLIENTS);
  const perRound = context.quick ? BROADCASTS_PER_ROUND.quick : BROADCASTS_PER_ROUND.full;
  const chosen = specs(n);
  return withThreeRedis(context, async (servers) => {
    const runs: Running[] = [];
    try {
      const script = await bundleScript(new URL('../realtime-server.ts', import.meta.url));
      for (const [index, spec] of chosen.entries())
        runs.push(await startServer(spec, servers[index]!, script, context));
      const baselines = await Promise.all(runs.map((running) => settledBaseline(running, context)));
      runs.forEach((running, index) => (running.baseline = baselines[index]));
      // One after the other: connecting thousands of clients at once would measure the machine.
      for (const running of runs) await connectClients(running, context);
      for (const running of runs) await broadcastRound(running, WARMUP_BROADCASTS);
      for (let round = 0; round < context.settings.rounds; round++) {
        for (const running of rotate(runs, round)) {
          const result = await broadcastRound(running, perRound);
          running.contender.rounds.push(result);
          context.progress(
            `round ${round + 1}/${context.settings.rounds} ${running.spec.id}: lag p50 ` +
              `${roundLag(result, 0.5).toFixed(1)} ms, p99 ${roundLag(result, 0.99).toFixed(1)} ms, RSS ${(result.rssBytesPerClient / 1024).toFixed(1)} KiB/client` +
              (result.missed + result.closed > 0
                ? ` (${result.missed} missed, ${result.closed} closed)`
                : ''),
          );
        }
      }
    } finally {
      await Promise.all(runs.flatMap((running) => [running.driver.close(), running.server.close()]));
    }
    const summary = summarizeBroadcasts(
      runs.map((running) => running.contender),
      COMPARISONS,
    );
    return {
      ...cellHeader(CELL),
      params: {
        clientsPerTransport: n,
        broadcastsPerRound: perRound,
        warmupBroadcasts: WARMUP_BROADCASTS,
        gapMs: GAP_MS,
        measures: `${LAG_MEASURE}; ${MEMORY_MEASURE}; ${HEAP_MEASURE}`,
      },
      status: 'ok',
      ...summary,
      seconds: jsonNumber((performance.now() - started) / 1000) ?? 0,
    };
  });
}

export function realtimeGroup(): CellGroup {
  return {
    cells: [CELL],
    async run(_selected, context) {
      context.begin(CELL);
      context.done(await runBroadcastCell(context));
    },
  };
}
