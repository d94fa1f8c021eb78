// The sessions cells: express-session over real HTTP, against a server process of its own
// (matrix/session-server.ts) with one route prefix per store: @rnh/sessions with its per-user
// index on, connect-redis on node-redis, and express-session's MemoryStore (no Redis: the
// in-process ceiling). Every request carries the cookie of one of the signed-in sessions, drawn
// uniformly; a login/logout operation makes a new session and destroys it.
import { performance } from 'node:perf_hooks';
import type { Operation } from '../../lib/measure.js';
import { withCellRedis, type CellGroup, type CellInfo, type Context } from '../cell.js';
import { startScript } from '../child-process.js';
import { KeepAliveClient } from '../http-pool.js';
import { runRatioCell, type Comparison, type MatrixContender } from '../ratio-cell.js';
import { failedCell } from '../results.js';
import { uniformOrder } from '../workload.js';

const SOCKETS = 32;
const SESSIONS = 1000;
const USERS = 250;

type Kind = 'read' | 'write' | 'churn';

const COMMON = { connections: SOCKETS, index: 'on', cookieMaxAgeMs: 86_400_000 };

const CELLS: Record<Kind, CellInfo> = {
  read: {
    id: 'sessions/http/read',
    section: 'sessions',
    title:
      `GET that reads req.session and changes nothing (express-session get + touch), ${SESSIONS} signed-in ` +
      `sessions of ${USERS} users, ${SOCKETS} keep-alive connections`,
    params: { ...COMMON, route: 'GET /me', sessions: SESSIONS, users: USERS },
    quick: true,
  },
  write: {
    id: 'sessions/http/write',
    section: 'sessions',
    title: `POST that changes the signed-in session (get + set), ${SESSIONS} sessions of ${USERS} users`,
    params: { ...COMMON, route: 'POST /note', sessions: SESSIONS, users: USERS },
  },
  churn: {
    id: 'sessions/http/login-logout',
    section: 'sessions',
    title:
      'login (regenerate, save with user and device) then logout (destroy) of a new session: one operation, ' +
      'two requests',
    params: { ...COMMON, route: 'POST /login + POST /logout', users: USERS },
  },
};

const KINDS: Kind[] = ['read', 'write', 'churn'];

const STORES = [
  { route: 'rnh', id: 'rnh', label: '@rnh/sessions RedisSessionStore, per-user index on', role: 'ours' },
  { route: 'cr', id: 'connect-redis', label: 'connect-redis on node-redis', role: 'peer' },
  { route: 'mem', id: 'memory', label: "express-session's MemoryStore (in-process, no Redis)", role: 'info' },
] as const;

type StoreRoute = (typeof STORES)[number];

const COMPARISONS: Record<Kind, Comparison[]> = {
  read: [
    { ours: 'rnh', peer: 'connect-redis', atLeast: 1.0 },
    { ours: 'rnh', peer: 'memory' },
  ],
  write: [
    { ours: 'rnh', peer: 'connect-redis' },
    { ours: 'rnh', peer: 'memory' },
  ],
  churn: [
    { ours: 'rnh', peer: 'connect-redis' },
    { ours: 'rnh', peer: 'memory' },
  ],
};

async function login(pool: KeepAliveClient, route: string, user: number): Promise<string> {
  const answer = await pool.send('POST', `/${route}/login?user=u${user % USERS}`);
  if (answer.status !== 200 || !answer.cookie)
    throw new Error(`POST /${route}/login: HTTP ${answer.status}${answer.cookie ? '' : ', no cookie'}`);
  return answer.cookie;
}

/**
 * SESSIONS signed-in sessions (USERS users, several devices each), SOCKETS logins at a time,
 * each then read once: the cells measure sessions in use, not the first request after a login.
 */
async function signIn(pool: KeepAliveClient, route: string): Promise<string[]> {
  const cookies: string[] = [];
  for (let start = 0; start < SESSIONS; start += SOCKETS) {
    const batch = Array.from({ length: Math.min(SOCKETS, SESSIONS - start) }, async (_, offset) => {
      const cookie = await login(pool, route, start + offset);
      const answer = await pool.send('GET', `/${route}/me`, { cookie });
      if (answer.status !== 200) throw new Error(`GET /${route}/me after login: HTTP ${answer.status}`);
      return cookie;
    });
    cookies.push(...(await Promise.all(batch)));
  }
  return cookies;
}

function storeContender(kind: Kind, baseUrl: string, store: StoreRoute, order: Int32Array): MatrixContender {
  let client: KeepAliveClient | undefined;
  let signedOut = 0;
  return {
    id: store.id,
    label: store.label,
    group: CELLS[kind].title,
    role: store.role,
    async setup() {
      client = new KeepAliveClient(baseUrl, SOCKETS);
      const pool = client;
      let op: Operation;
      if (kind === 'churn') {
        op = async (index) => {
          const cookie = await login(pool, store.route, index);
          const answer = await pool.send('POST', `/${store.route}/logout`, { cookie });
          if (answer.status !== 200) throw new Error(`POST /${store.route}/logout: HTTP ${answer.status}`);
        };
      } else {
        const cookies = await signIn(pool, store.route);
        const [method, path] =
          kind === 'read' ? ['GET', `/${store.route}/me`] : ['POST', `/${store.route}/note`];
        op = async (index) => {
          const answer = await pool.send(method, path, { cookie: cookies[order[index % order.length]!]! });
          if (answer.status === 401) signedOut++;
          else if (answer.status !== 200) throw new Error(`HTTP ${answer.status} from ${method} ${path}`);
        };
      }
      await op(0);
      return op;
    },
    misses: () => signedOut,
    async close() {
      client?.close();
    },
  };
}

async function runCell(
  kind: Kind,
  baseUrl: string,
  order: Int32Array,
  probe: Parameters<typeof runRatioCell>[0]['probe'],
  context: Context,
) {
  const cell = CELLS[kind];
  context.begin(cell);
  const started = performance.now();
  try {
    context.done(
      await runRatioCell(
        {
          info: cell,
          contenders: STORES.map((store) => storeContender(kind, baseUrl, store, order)),
          comparisons: COMPARISONS[kind],
          concurrency: SOCKETS,
          probe,
          missesLabel: 'signed-out answers (401)',
        },
        context,
      ),
    );
  } catch (error) {
    // The next cell still runs on the same server.
    context.done(failedCell(cell, error, (performance.now() - started) / 1000));
  }
}

export function sessionsGroup(): CellGroup {
  return {
    cells: KINDS.map((kind) => CELLS[kind]),
    async run(selected, context) {
      await withCellRedis(context, async (server) => {
        context.progress('starting the Express server process');
        const app = await startScript<{ port: number }>(new URL('../session-server.ts', import.meta.url), [
          server.host,
          String(server.port),
        ]);
        try {
          const baseUrl = `http://127.0.0.1:${app.hello.port}`;
          const order = uniformOrder(SESSIONS, 1 << 20);
          for (const kind of KINDS)
            if (selected.includes(CELLS[kind])) await runCell(kind, baseUrl, order, server.probe, context);
        } finally {
          await app.stop();
        }
      });
    },
  };
}
