// The HTTP rate-limit cell: Express middlewares in a server process of their own, driven over
// real HTTP with keep-alive connections, each request from one of 50k client addresses
// (X-Forwarded-For, trusted from loopback), so every limiter keys by a real req.ip.
import { withCellRedis, type CellGroup, type CellInfo } from '../cell.js';
import { startScript } from '../child-process.js';
import { KeepAliveClient } from '../http-pool.js';
import type { Operation } from '../../lib/measure.js';
import { runRatioCell, type MatrixContender } from '../ratio-cell.js';
import { uniformOrder } from '../workload.js';

const CLIENTS = 50_000;
const SOCKETS = 64;
const LIMIT = { limit: 10_000_000, windowMs: 60_000 };

const CELL: CellInfo = {
  id: 'ratelimit/http/50k-clients',
  section: 'ratelimit',
  title:
    `Express middleware over HTTP: ${CLIENTS / 1000}k client addresses (X-Forwarded-For, trust proxy loopback), ` +
    `every limiter a fixed window (like for like) never reached, ${SOCKETS} keep-alive connections`,
  params: { clients: CLIENTS, connections: SOCKETS, algorithm: 'fixed-window', ...LIMIT },
};

const ROUTES = [
  { route: 'rnh', label: '@rnh/ratelimit rateLimit(limiter, { key: ipKey() })', role: 'ours' },
  { route: 'erl', label: 'express-rate-limit + rate-limit-redis', role: 'peer' },
  { route: 'rlf', label: 'rate-limiter-flexible consume(req.ip) in a middleware', role: 'peer' },
  { route: 'none', label: 'no limiter (the same route without one)', role: 'info' },
] as const;

function address(index: number): string {
  return `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
}

function httpContender(
  baseUrl: string,
  route: (typeof ROUTES)[number],
  addresses: string[],
  order: Int32Array,
): MatrixContender {
  let client: KeepAliveClient | undefined;
  let denied = 0;
  return {
    id: `http:${route.route}`,
    label: route.label,
    group: CELL.title,
    role: route.role,
    async setup() {
      client = new KeepAliveClient(baseUrl, SOCKETS);
      const pool = client;
      const path = `/${route.route}/items`;
      const op: Operation = async (index) => {
        const answer = await pool.get(path, { 'x-forwarded-for': addresses[order[index % order.length]!]! });
        if (answer.status === 429) denied++;
        else if (answer.status !== 200) throw new Error(`HTTP ${answer.status} from ${path}`);
      };
      await op(0);
      return op;
    },
    misses: () => denied,
    async close() {
      client?.close();
    },
  };
}

export function ratelimitHttpGroup(): CellGroup {
  return {
    cells: [CELL],
    async run(_selected, context) {
      context.begin(CELL);
      context.done(
        await withCellRedis(context, async (server) => {
          context.progress('starting the Express server process');
          const app = await startScript<{ port: number }>(
            new URL('../http-limiter-server.ts', import.meta.url),
            [server.host, String(server.port), String(LIMIT.limit), String(LIMIT.windowMs)],
          );
          try {
            const baseUrl = `http://127.0.0.1:${app.hello.port}`;
            const addresses = Array.from({ length: CLIENTS }, (_, index) => address(index));
            const order = uniformOrder(CLIENTS, 1 << 20);
            return await runRatioCell(
              {
                info: CELL,
                contenders: ROUTES.map((route) => httpContender(baseUrl, route, addresses, order)),
                comparisons: [
                  { ours: 'http:rnh', peer: 'http:erl', atLeast: 1.0 },
                  { ours: 'http:rnh', peer: 'http:rlf' },
                  { ours: 'http:rnh', peer: 'http:none' },
                ],
                concurrency: SOCKETS,
                probe: server.probe,
                missesLabel: 'denials (429)',
              },
              context,
            );
          } finally {
            await app.stop();
          }
        }),
      );
    },
  };
}
