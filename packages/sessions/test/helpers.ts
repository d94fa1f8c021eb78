import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { defaultRedisOptions, RedisConnections, type Logger } from '@rnh/redis-client';
import { uniquePrefix, type RedisServerHandle } from '@rnh/test-utils';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import type { Redis } from 'ioredis';
import type { Registry, RegistryContentType } from 'prom-client';
import { SessionStoreUnavailableError, type RedisSessionStore, type SessionDevice } from '../src/index.js';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    device?: Partial<SessionDevice>;
    note?: string;
  }
}

/** RedisConnections for a test server: own key prefix, quick reconnects, short timeouts. */
export function connectionsFor(
  server: Pick<RedisServerHandle, 'host' | 'port'>,
  logger: Logger,
): RedisConnections {
  return new RedisConnections({
    options: defaultRedisOptions({
      host: server.host,
      port: server.port,
      keyPrefix: uniquePrefix('sess'),
      retryDelayMs: 20,
      maxRetryDelayMs: 200,
      connectTimeoutMs: 2000,
    }),
    logger,
  });
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

/** Every key under `pattern` with its value, whatever the type: for "what does Redis hold" assertions. */
export async function dumpKeys(
  redis: Redis,
  pattern: string,
): Promise<Array<{ key: string; value: string }>> {
  const out: Array<{ key: string; value: string }> = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else value = type;
      out.push({ key, value: JSON.stringify(value) });
    }
  } while (cursor !== '0');
  return out;
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

export { memoryLogger, useRedisServer } from '@rnh/test-utils';

export { recordSpans } from '@rnh/test-utils';
