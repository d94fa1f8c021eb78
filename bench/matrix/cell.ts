// What the matrix runs: cells (one workload, ours and its peers), grouped so that cells sharing
// expensive setup (api processes, an HTTP server) set it up once.
import { withRedisServer } from '../lib/redis.js';
import { RedisProbe } from './probe.js';
import type { CellResult } from './results.js';

export interface CellInfo {
  /** `section/...`, what `--only` matches, e.g. `cache/l2/4kb/1k/uniform`. */
  id: string;
  section: string;
  title: string;
  params: Record<string, string | number>;
  /** Part of the `--quick` subset. */
  quick?: boolean;
}

export interface Settings {
  /** Measured rounds per cell: every contender once per round, in a rotated order. */
  rounds: number;
  /** Measured time per contender per round. */
  durationMs: number;
  /** Unmeasured time per contender before the first round. */
  warmupMs: number;
}

export interface Context {
  settings: Settings;
  quick: boolean;
  /** `--clients=N`: clients per transport of the realtime cell (its own default otherwise). */
  clients?: number;
  /** Redis versions seen by the run (the first one goes into latest.json). */
  redisVersions: Set<string>;
  /** Says that a cell starts (progress line with its place in the run). */
  begin(cell: CellInfo): void;
  /** Hands over a finished cell: printed at once, kept for latest.json. */
  done(result: CellResult): void;
  /** A progress line inside a cell. */
  progress(line: string): void;
}

/** Cells that run together. `run` gets the selected ones and reports each through `done`. */
export interface CellGroup {
  cells: CellInfo[];
  run(selected: CellInfo[], context: Context): Promise<void>;
}

export interface BenchServer {
  host: string;
  port: number;
  url: string;
  version: string;
  probe: RedisProbe;
}

/** A redis-server of the cell's own (fresh memory and command counts), stopped after `work`. */
export function withCellRedis<T>(context: Context, work: (server: BenchServer) => Promise<T>): Promise<T> {
  return withRedisServer(async ({ server, version }) => {
    context.redisVersions.add(version);
    const probe = await new RedisProbe(server.host, server.port).connect();
    try {
      return await work({ host: server.host, port: server.port, url: server.url, version, probe });
    } finally {
      probe.close();
    }
  });
}

/** A group of one cell whose whole run is `run`. */
export function singleCell(cell: CellInfo, run: (context: Context) => Promise<CellResult>): CellGroup {
  return {
    cells: [cell],
    async run(_selected, context) {
      context.begin(cell);
      context.done(await run(context));
    },
  };
}
