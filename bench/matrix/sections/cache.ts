// Cache cells: hit throughput across value sizes, key counts and key popularity, with L1 off and
// on, plus read-through with loads; every cell on a redis-server of its own.
import {
  bentocacheL1,
  bentocacheL2,
  cacheManager,
  rawIoredis,
  rnhCache,
  type Setting,
} from '../../cache/contenders.js';
import { withCellRedis, type CellGroup, type CellInfo, type Context } from '../cell.js';
import { runRatioCell, type Comparison, type MatrixContender } from '../ratio-cell.js';
import { skippedCell } from '../results.js';
import { loggedNote, startRnhApp } from '../rnh-app.js';
import { countName, sizeName, uniformOrder, valueOfSize, zipfOrder } from '../workload.js';

const SIZES = [100, 4096, 65_536];
const KEY_COUNTS = [1000, 100_000];
const DISTRIBUTIONS = ['uniform', 'zipf'] as const;
type Distribution = (typeof DISTRIBUTIONS)[number];
const ZIPF_S = 1.1;
/** Key choices drawn once per cell (2^20), shared by every contender of the cell. */
const ORDER_LENGTH = 1 << 20;
const HIT_CONCURRENCY = 64;
const READ_THROUGH = { size: 4096, keys: 10_000, concurrency: 200, ttlSeconds: 1, loadMs: 1 } as const;
/** Each contender stores every key: past this much per contender the cell is not run. */
const MAX_BYTES_PER_CONTENDER = 1024 ** 3;

type Layer = 'l2' | 'l1';

interface HitCell extends CellInfo {
  layer: Layer;
  size: number;
  keys: number;
  distribution: Distribution;
}

function hitCell(layer: Layer, size: number, keys: number, distribution: Distribution): HitCell {
  const where = layer === 'l2' ? 'L2 only (every hit reads Redis)' : 'L1 + L2 (hits served in-process)';
  return {
    id: `cache/${layer}/${sizeName(size)}/${countName(keys)}/${distribution}`,
    section: 'cache',
    title: `${where}, ${sizeName(size)} values, ${countName(keys)} keys, ${distribution === 'zipf' ? `Zipf s=${ZIPF_S}` : 'uniform'}, ${HIT_CONCURRENCY} in flight`,
    params: { layer, valueBytes: size, keys, distribution, concurrency: HIT_CONCURRENCY },
    quick: layer === 'l2' && size === 4096 && keys === 1000 && distribution === 'uniform',
    layer,
    size,
    keys,
    distribution,
  };
}

const L2_COMPARISONS: Comparison[] = [
  { ours: 'rnh-l2', peer: 'raw-ioredis', atLeast: 1.0 },
  { ours: 'rnh-l2', peer: 'bentocache-l2', atLeast: 1.5 },
  { ours: 'rnh-l2', peer: 'cache-manager' },
];
const L1_COMPARISONS: Comparison[] = [{ ours: 'rnh-l1', peer: 'bentocache-l1', atLeast: 5.0 }];

function keyNames(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `item:${index}`);
}

function orderOf(distribution: Distribution, keys: number): Int32Array {
  return distribution === 'zipf' ? zipfOrder(keys, ZIPF_S, ORDER_LENGTH) : uniformOrder(keys, ORDER_LENGTH);
}

function hitGroup(cell: HitCell): CellGroup {
  return {
    cells: [cell],
    async run(_selected, context) {
      context.begin(cell);
      const perContender = cell.size * cell.keys;
      if (perContender > MAX_BYTES_PER_CONTENDER) {
        context.done(
          skippedCell(
            cell,
            `${(perContender / 1024 ** 3).toFixed(1)} GiB of values per contender: more than this machine should hold`,
          ),
        );
        return;
      }
      context.done(
        await withCellRedis(context, async (server) => {
          const app = await startRnhApp(server.host, server.port);
          try {
            const setting: Setting = {
              host: server.host,
              port: server.port,
              value: valueOfSize(cell.size),
              keys: keyNames(cell.keys),
              ttlSeconds: 3600,
              order: orderOf(cell.distribution, cell.keys),
            };
            const contenders: MatrixContender[] =
              cell.layer === 'l2'
                ? [
                    rnhCache(setting, app, 'l2'),
                    rawIoredis(setting, false),
                    bentocacheL2(setting),
                    cacheManager(setting),
                  ]
                : [rnhCache(setting, app, 'l1'), bentocacheL1(setting)];
            const result = await runRatioCell(
              {
                info: cell,
                contenders,
                comparisons: cell.layer === 'l2' ? L2_COMPARISONS : L1_COMPARISONS,
                concurrency: HIT_CONCURRENCY,
                probe: server.probe,
                missesLabel: 'loader calls',
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

const READ_THROUGH_CELL: CellInfo = {
  id: `cache/read-through/${sizeName(READ_THROUGH.size)}/${countName(READ_THROUGH.keys)}/zipf`,
  section: 'cache',
  title:
    `Read-through: getOrSet with a loader (${READ_THROUGH.loadMs} ms), keys cold at the start and expiring ` +
    `after ${READ_THROUGH.ttlSeconds} s, ${sizeName(READ_THROUGH.size)} values, ${countName(READ_THROUGH.keys)} keys, ` +
    `Zipf s=${ZIPF_S}, ${READ_THROUGH.concurrency} in flight`,
  params: {
    layer: 'l2',
    valueBytes: READ_THROUGH.size,
    keys: READ_THROUGH.keys,
    distribution: 'zipf',
    concurrency: READ_THROUGH.concurrency,
    ttlSeconds: READ_THROUGH.ttlSeconds,
    loadMs: READ_THROUGH.loadMs,
  },
};

function readThroughGroup(): CellGroup {
  const cell = READ_THROUGH_CELL;
  return {
    cells: [cell],
    async run(_selected, context: Context) {
      context.begin(cell);
      context.done(
        await withCellRedis(context, async (server) => {
          const app = await startRnhApp(server.host, server.port);
          try {
            const setting: Setting = {
              host: server.host,
              port: server.port,
              value: valueOfSize(READ_THROUGH.size),
              keys: keyNames(READ_THROUGH.keys),
              ttlSeconds: READ_THROUGH.ttlSeconds,
              order: zipfOrder(READ_THROUGH.keys, ZIPF_S, ORDER_LENGTH),
              readThroughLoadMs: READ_THROUGH.loadMs,
            };
            const result = await runRatioCell(
              {
                info: cell,
                contenders: [
                  rnhCache(setting, app, 'l2'),
                  rawIoredis(setting, false),
                  bentocacheL2(setting),
                  cacheManager(setting),
                ],
                comparisons: L2_COMPARISONS,
                concurrency: READ_THROUGH.concurrency,
                probe: server.probe,
                missesExpected: true,
                missesLabel: 'loader calls',
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

export function cacheGroups(): CellGroup[] {
  const groups: CellGroup[] = [];
  for (const layer of ['l2', 'l1'] as const)
    for (const size of SIZES)
      for (const keys of KEY_COUNTS)
        for (const distribution of DISTRIBUTIONS)
          groups.push(hitGroup(hitCell(layer, size, keys, distribution)));
  groups.push(readThroughGroup());
  return groups;
}
