// Rate-limit cells: decisions per second of every @rnh/ratelimit algorithm against
// rate-limiter-flexible, on 1k, 100k and 1M random keys, on one hot key under its limit, and on
// one hot key over it; every cell on a redis-server of its own. rate-limiter-flexible's
// RateLimiterRedis counts a fixed window (it has no other algorithm on Redis): the fixed-window
// cells compare like with like, the others compare our algorithm with that fixed window, and
// their titles and ratio labels say so.
import { rlf, rnh, SHORT, type RnhAlgorithm, type Scenario } from '../../ratelimit/contenders.js';
import { withCellRedis, type CellGroup, type CellInfo } from '../cell.js';
import { runRatioCell, type Comparison, type MatrixContender } from '../ratio-cell.js';
import { loggedNote, startRnhApp } from '../rnh-app.js';
import { countName, uniformOrder } from '../workload.js';

const ALGORITHMS: RnhAlgorithm[] = ['fixed-window', 'sliding-window', 'token-bucket', 'gcra'];
const KEY_COUNTS = [1000, 100_000, 1_000_000];
/** Decisions in flight: a busy server's. */
const CONCURRENCY = 200;
/** Key choices drawn once per cell, shared by both contenders. */
const ORDER_LENGTH = 1 << 20;
/** A limit no key reaches in a run: every decision must be "allowed" (a denial voids the cell). */
const NEVER_REACHED = { limit: 10_000_000, windowMs: 60_000 };
/** The hot key over its limit: 100 per second, so nearly every decision is a denial. */
const HOT_DENIED = { limit: 100, windowMs: 1000 };
const TARGET = 1.2;
const NAMES: Record<RnhAlgorithm, string> = {
  'fixed-window': 'Fixed window',
  'sliding-window': 'Sliding window',
  'token-bucket': 'Token bucket',
  gcra: 'GCRA',
};

type Workload = { kind: 'keys'; keys: number } | { kind: 'hot-allowed' } | { kind: 'hot-denied' };

function workloadName(workload: Workload): string {
  return workload.kind === 'keys' ? countName(workload.keys) : workload.kind;
}

function describe(workload: Workload): string {
  switch (workload.kind) {
    case 'keys':
      return `${countName(workload.keys)} random keys, every decision allowed`;
    case 'hot-allowed':
      return 'one hot key under its limit, every decision allowed';
    case 'hot-denied':
      return `one hot key over its limit (${HOT_DENIED.limit} per ${HOT_DENIED.windowMs / 1000} s), nearly every decision denied`;
  }
}

function scenarioOf(workload: Workload): Scenario {
  if (workload.kind === 'keys') {
    const order = uniformOrder(workload.keys, ORDER_LENGTH);
    return {
      kind: 'distinct',
      group: describe(workload),
      keys: Array.from(order, (index) => `client:${index}`),
      ips: [],
      ...NEVER_REACHED,
    };
  }
  return {
    kind: workload.kind === 'hot-allowed' ? 'distinct' : 'hot',
    group: describe(workload),
    keys: ['client:hot'],
    ips: [],
    ...(workload.kind === 'hot-allowed' ? NEVER_REACHED : HOT_DENIED),
  };
}

/** What our algorithm is compared with: always rate-limiter-flexible's fixed window. */
function against(algorithm: RnhAlgorithm): string {
  return algorithm === 'fixed-window'
    ? "vs rate-limiter-flexible's fixed window (like for like)"
    : "vs rate-limiter-flexible's fixed window (RateLimiterRedis has no other algorithm)";
}

function limiterGroup(algorithm: RnhAlgorithm, workload: Workload): CellGroup {
  const short = SHORT[algorithm];
  const cell: CellInfo = {
    id: `ratelimit/${short}/${workloadName(workload)}`,
    section: 'ratelimit',
    title: `${NAMES[algorithm]} ${against(algorithm)}, ${describe(workload)}, ${CONCURRENCY} decisions in flight`,
    params: {
      algorithm,
      workload: workloadName(workload),
      concurrency: CONCURRENCY,
      ...(workload.kind === 'hot-denied' ? HOT_DENIED : NEVER_REACHED),
    },
    quick: algorithm === 'fixed-window' && workload.kind === 'keys' && workload.keys === 100_000,
  };
  return {
    cells: [cell],
    async run(_selected, context) {
      context.begin(cell);
      context.done(
        await withCellRedis(context, async (server) => {
          const app = await startRnhApp(server.host, server.port);
          try {
            const scenario = scenarioOf(workload);
            // Every algorithm is ours here (the standalone ratelimit.ts judges fixed window only).
            const ours: MatrixContender = { ...rnh(scenario, app, { algorithm }), role: 'ours' };
            const peer = rlf(scenario, { host: server.host, port: server.port });
            // Denials are the workload of the hot-denied cell; no target there (our local deny
            // cache answers them in-process, rate-limiter-flexible asks Redis by default).
            const comparison: Comparison = {
              ours: ours.id,
              peer: peer.id,
              label: `${ours.label} ${against(algorithm)}`,
              ...(workload.kind === 'hot-denied' ? {} : { atLeast: TARGET }),
            };
            const result = await runRatioCell(
              {
                info: cell,
                contenders: [ours, peer],
                comparisons: [comparison],
                concurrency: CONCURRENCY,
                probe: server.probe,
                missesLabel: 'unexpected decisions',
              },
              context,
            );
            const note = loggedNote(app);
            return note ? { ...result, note } : result;
          } finally {
            await app.connections.close();
          }
        }),
      );
    },
  };
}

export function ratelimitGroups(): CellGroup[] {
  const workloads: Workload[] = [
    ...KEY_COUNTS.map((keys): Workload => ({ kind: 'keys', keys })),
    { kind: 'hot-allowed' },
    { kind: 'hot-denied' },
  ];
  return workloads.flatMap((workload) => ALGORITHMS.map((algorithm) => limiterGroup(algorithm, workload)));
}
