// Queue cells: @rnh/queue against BullMQ, adding jobs (one per call, or a batch per call) and
// processing them (worker concurrency 1 and 50, a no-op handler), each with tracing off (ours
// with no SDK's tracer against raw BullMQ) and on (ours with the matrix's SDK against BullMQ with
// its official OpenTelemetry integration, bullmq-otel, on the same tracer provider). Ours has
// metrics on in every cell. Every cell on a redis-server of its own.
import { bullmqAdd, rnhAdd, type AddShape } from '../queue/add.js';
import type { Tracing } from '../queue/jobs.js';
import { bullmqProcess, rnhProcess, type ProcessShape } from '../queue/process.js';
import {
  singleCell,
  withCellRedis,
  type BenchServer,
  type CellGroup,
  type CellInfo,
  type Context,
} from '../cell.js';
import { runRatioCell, type Comparison } from '../ratio-cell.js';
import { loggedNote, startRnhApp, type RnhApp } from '../rnh-app.js';
import type { CellResult } from '../results.js';
import { runTrialCell } from '../trial-cell.js';

const TRACINGS: Tracing[] = ['untraced', 'traced'];

/** Ours against raw BullMQ with tracing off; against BullMQ + bullmq-otel with tracing on. */
const TARGET: Record<Tracing, number> = { untraced: 0.9, traced: 1.0 };

const PEER: Record<Tracing, string> = { untraced: 'raw BullMQ', traced: 'BullMQ + bullmq-otel' };

const TRACING_TEXT: Record<Tracing, string> = {
  untraced: 'tracing off',
  traced: 'tracing on (same tracer provider)',
};

interface AddWorkload extends AddShape {
  name: 'single' | 'bulk';
  /** Calls in flight. */
  inFlight: number;
}

const ADD_WORKLOADS: Array<Omit<AddWorkload, 'tracing'>> = [
  { name: 'single', batch: 1, inFlight: 50 },
  { name: 'bulk', batch: 50, inFlight: 4 },
];

interface ProcessWorkload extends ProcessShape {
  name: string;
  /** The first warm-up trial's job count. */
  firstSize: number;
}

const PROCESS_WORKLOADS: Array<Omit<ProcessWorkload, 'tracing'>> = [
  { name: 'c1', concurrency: 1, firstSize: 100 },
  { name: 'c50', concurrency: 50, firstSize: 500 },
];

function comparison(peer: string, tracing: Tracing): Comparison {
  return { ours: 'rnh', peer, atLeast: TARGET[tracing] };
}

function addGroup(workload: AddWorkload): CellGroup {
  const { tracing } = workload;
  const what =
    workload.batch === 1
      ? `one job per call (enqueue vs Queue.add), ${workload.inFlight} calls in flight`
      : `${workload.batch} jobs per call (enqueueBulk vs Queue.addBulk), ${workload.inFlight} calls in flight`;
  const cell: CellInfo = {
    id: `queue/add/${workload.name}/${tracing}`,
    section: 'queue',
    title: `Add ${what}, ${TRACING_TEXT[tracing]}: @rnh/queue vs ${PEER[tracing]}`,
    params: { tracing, jobsPerCall: workload.batch, inFlight: workload.inFlight },
    quick: workload.name === 'single' && tracing === 'traced',
  };
  return appCellGroup(cell, (server, app, context) => {
    const ours = rnhAdd(server, app, workload);
    const peer = bullmqAdd(server, workload);
    return runRatioCell(
      {
        info: cell,
        contenders: [ours, peer],
        comparisons: [comparison(peer.id, tracing)],
        concurrency: workload.inFlight,
        probe: server.probe,
        missesLabel: 'runs that left other job counts than they added',
      },
      context,
    );
  });
}

function processGroup(workload: ProcessWorkload): CellGroup {
  const { tracing } = workload;
  const cell: CellInfo = {
    id: `queue/process/${workload.name}/${tracing}`,
    section: 'queue',
    title:
      `Process a backlog, worker concurrency ${workload.concurrency}, no-op handler, ${TRACING_TEXT[tracing]}: ` +
      `@rnh/queue QueueWorker vs ${PEER[tracing]} Worker`,
    params: { tracing, concurrency: workload.concurrency, handler: 'no-op' },
  };
  return appCellGroup(cell, (server, app, context) => {
    const ours = rnhProcess(server, app, workload);
    const peer = bullmqProcess(server, workload);
    return runTrialCell(
      {
        info: cell,
        contenders: [ours, peer],
        comparisons: [comparison(peer.id, tracing)],
        probe: server.probe,
        firstSize: workload.firstSize,
        missesLabel: 'trials that left jobs behind or ran a handler twice',
      },
      context,
    );
  });
}

/**
 * One cell on a redis-server of its own with the queue app of ours on it: `measure` runs the
 * contenders; what the app logged goes into the result's note.
 */
function appCellGroup(
  cell: CellInfo,
  measure: (server: BenchServer, app: RnhApp, context: Context) => Promise<CellResult>,
): CellGroup {
  return singleCell(cell, (context) =>
    withCellRedis(context, async (server) => {
      const app = await startRnhApp(server.host, server.port);
      try {
        const result = await measure(server, app, context);
        const note = loggedNote(app);
        return note ? { ...result, note } : result;
      } finally {
        await app.connections.close();
      }
    }),
  );
}

export function queueGroups(): CellGroup[] {
  return [
    ...ADD_WORKLOADS.flatMap((workload) => TRACINGS.map((tracing) => addGroup({ ...workload, tracing }))),
    ...PROCESS_WORKLOADS.flatMap((workload) =>
      TRACINGS.map((tracing) => processGroup({ ...workload, tracing })),
    ),
  ];
}
