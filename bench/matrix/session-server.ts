// The Express server of the sessions cells, in a process of its own (the load generator must not
// share its event loop): the same routes under one express-session middleware per store, each as
// its README sets it up. Cookie-less requests only log in; every other route needs the cookie.
// Prints `{"port":N}` once listening; stops on SIGTERM.
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import session, { MemoryStore, type Store } from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { RedisSessionStore, SessionIndex } from '@rnh/sessions';
import { startTracing } from '../lib/tracing.js';
import { startRnhApp } from './rnh-app.js';

declare module 'express-session' {
  interface SessionData {
    userId: string;
    device: { userAgent?: string; ipPrefix?: string; createdAt: number };
    note: number;
  }
}

const [redisHost, redisPortText] = process.argv.slice(2);
const redisPort = Number(redisPortText);

/** The routes every store serves: login, a read that changes nothing, a write, logout. */
function routes(store: Store): Router {
  const router = express.Router();
  // As the api sets it: no save of untouched sessions, no cookie re-sent on every answer, and its
  // default idle lifetime (SESSION_IDLE_TTL_SECONDS, a day).
  router.use(
    session({
      store,
      secret: 'bench-session-secret-0123456789abcdefghij',
      resave: false,
      saveUninitialized: false,
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 86_400_000 },
    }) as RequestHandler,
  );
  const signedIn = (req: Request, res: Response): boolean => {
    if (req.session.userId) return true;
    res.status(401).json({ error: { code: 'unauthenticated', message: 'sign in first' } });
    return false;
  };
  router.post('/login', (req, res, next) => {
    req.session.regenerate((error: unknown) => {
      if (error) return next(error);
      req.session.userId = String(req.query.user ?? 'nobody');
      req.session.device = {
        userAgent: req.get('user-agent'),
        ipPrefix: '127.0.0.0/24',
        createdAt: Date.now(),
      };
      res.json({ ok: true });
    });
  });
  router.get('/me', (req, res) => {
    if (signedIn(req, res)) res.json({ userId: req.session.userId });
  });
  router.post('/note', (req, res) => {
    if (!signedIn(req, res)) return;
    req.session.note = (req.session.note ?? 0) + 1;
    res.json({ note: req.session.note });
  });
  router.post('/logout', (req, res, next) => {
    req.session.destroy((error: unknown) => (error ? next(error) : res.json({ ok: true })));
  });
  return router;
}

async function main(): Promise<void> {
  // Tracing on as an app has it (process-wide, so every store pays the context manager alike).
  const tracing = startTracing();
  const app = await startRnhApp(redisHost!, redisPort);

  // @rnh/sessions as the api builds it: the shared `commands` connection, the per-user index on.
  const commands = app.connections.shared('commands');
  const sessionKeys = app.connections.keys.child('sess');
  const index = new SessionIndex(
    {
      redis: commands,
      keys: app.connections.keys.child('user-sessions'),
      logger: app.logger,
      registry: app.registry,
    },
    { sessionKeys },
  );
  const rnhStore = new RedisSessionStore({
    redis: commands,
    keys: sessionKeys,
    logger: app.logger,
    registry: app.registry,
    index,
  });

  // connect-redis with node-redis, as its README shows.
  const redisClient = createClient({ url: `redis://${redisHost}:${redisPort}` });
  redisClient.on('error', (error: unknown) => console.error('node-redis:', error));
  await redisClient.connect();
  const connectRedis = new RedisStore({ client: redisClient, prefix: 'bench-cr:' });

  const server = express();
  server.disable('x-powered-by');
  server.use('/rnh', routes(rnhStore));
  server.use('/cr', routes(connectRedis));
  // express-session's MemoryStore: no Redis at all, the in-process ceiling.
  server.use('/mem', routes(new MemoryStore()));

  const listener = server.listen(0, '127.0.0.1', () => {
    const address = listener.address();
    console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));
  });
  process.once('SIGTERM', () => {
    listener.close();
    listener.closeAllConnections();
    void (async () => {
      rnhStore.close();
      await app.connections.close();
      await redisClient.quit().catch(() => undefined);
      await tracing.shutdown();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
