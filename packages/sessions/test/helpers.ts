import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Logger, RedisConnections } from '@rnh/redis-client';
import { testConnections, type TestRedisTarget } from '@rnh/test-connections';
import { scanKeys, uniquePrefix } from '@rnh/test-utils';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import type { Cluster, Redis } from 'ioredis';
import type { Registry, RegistryContentType } from 'prom-client';
import { SessionStoreUnavailableError, type RedisSessionStore, type SessionDevice } from '../src/index.js';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    device?: Partial<SessionDevice>;
    note?: string;
  }
}

/**
 * RedisConnections for the test's Redis (`useRedis().target`: one server, a Cluster or a Sentinel
 * group, or a server's address): its own key prefix, quick reconnects.
 */
export function connectionsFor(target: TestRedisTarget, logger: Logger): RedisConnections {
  return testConnections(target, { keyPrefix: uniquePrefix('sess'), logger });
}

/** The value of one series (after the metric's collect()), or undefined when absent. */
export async function metricValue(
  registry: Registry<RegistryContentType>,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  const match = values.find((value) =>
    Object.entries(labels).every(
      ([key, expected]) => String((value.labels as Record<string, unknown>)[key]) === expected,
    ),
  );
  return match?.value;
}

/**
 * Every key under `pattern` with its value, whatever the type: for "what does Redis hold"
 * assertions. Scans every master of a Cluster.
 */
export async function dumpKeys(
  redis: Redis | Cluster,
  pattern: string,
): Promise<Array<{ key: string; value: string }>> {
  const out: Array<{ key: string; value: string }> = [];
  for (const key of await scanKeys(redis, pattern)) {
    const type = await redis.type(key);
    let value: unknown;
    if (type === 'string') value = await redis.get(key);
    else if (type === 'hash') value = await redis.hgetall(key);
    else if (type === 'set') value = await redis.smembers(key);
    else if (type === 'list') value = await redis.lrange(key, 0, -1);
    else value = type;
    out.push({ key, value: JSON.stringify(value) });
  }
  return out;
}

/**
 * Deletes each key with its own DEL: on a Cluster a DEL of keys in different slots is refused
 * (CROSSSLOT). Resolves with how many existed.
 */
export async function deleteEach(redis: Redis | Cluster, keys: string[]): Promise<number> {
  const deleted = await Promise.all(keys.map((key) => redis.del(key)));
  return deleted.reduce((sum, count) => sum + count, 0);
}

/** How many of `keys` exist, asked one key at a time (EXISTS of keys in different slots is CROSSSLOT on a Cluster). */
export async function existing(redis: Redis | Cluster, keys: string[]): Promise<number> {
  const found = await Promise.all(keys.map((key) => redis.exists(key)));
  return found.reduce((sum, count) => sum + count, 0);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TestApp {
  url: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  maxAgeMs?: number;
  /** Awaited by POST /slow before it changes the session (to race it with a logout). */
  slowGate?: () => Promise<void>;
}

/**
 * A real Express 5 app with express-session on the store, as the api uses it:
 * resave false, saveUninitialized false, rolling (touch on every request).
 */
export async function startApp(store: RedisSessionStore, options: TestAppOptions = {}): Promise<TestApp> {
  const app = express();
  app.use(express.json());
  app.use(
    session({
      store,
      secret: 'test-secret-not-for-production',
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: options.maxAgeMs ?? 60_000 },
    }),
  );
  app.post('/login', (req, res, next) => {
    const { userId } = req.body as { userId: string };
    req.session.regenerate((error: unknown) => {
      if (error) return next(error);
      req.session.userId = userId;
      req.session.device = {
        userAgent: req.get('user-agent'),
        ipPrefix: '127.0.0.0/24',
        createdAt: Date.now(),
      };
      res.json({ sid: req.sessionID });
    });
  });
  app.get('/me', (req, res) => {
    res.json({ userId: req.session.userId ?? null, sid: req.sessionID });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((error: unknown) => (error ? next(error) : res.json({ ok: true })));
  });
  app.post('/slow', async (req, res) => {
    await options.slowGate?.();
    req.session.note = 'written by a slow request';
    res.json({ ok: true });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const unavailable = error instanceof SessionStoreUnavailableError;
    res.status(unavailable ? 503 : 500).json({
      error: {
        code: unavailable ? 'session_store_unavailable' : 'internal',
        message: unavailable ? 'try again' : 'internal error',
      },
    });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A cookie-carrying HTTP client: keeps the session cookie from `set-cookie`, like a browser. */
export class Browser {
  cookie: string | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly userAgent = 'vitest-browser',
  ) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  login(userId: string) {
    return this.request('POST', '/login', { userId });
  }

  me() {
    return this.request('GET', '/me');
  }
}

export {
  commandCalls,
  itOnStandalone,
  memoryLogger,
  recordSpans,
  TOPOLOGY_BACKGROUND_COMMANDS,
  useRedis,
} from '@rnh/test-utils';
