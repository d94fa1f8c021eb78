// The Express server of the HTTP rate-limit cell, in a process of its own (the load generator
// must not share its event loop): one route per limiter, each a fixed window on the same Redis,
// keyed by the client address Express takes from X-Forwarded-For (trust proxy: loopback).
// Prints `{"port":N}` once listening; stops on SIGTERM.
import express, { type RequestHandler } from 'express';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import { fixedWindow, ipKey, rateLimit, RateLimiter } from '@rnh/ratelimit';
import { Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { startTracing } from '../lib/tracing.js';
import { startRnhApp } from './rnh-app.js';

const [redisHost, redisPortText, limitText, windowText] = process.argv.slice(2);
const redisPort = Number(redisPortText);
const limit = Number(limitText);
const windowMs = Number(windowText);

async function main(): Promise<void> {
  // Tracing on as an app has it (process-wide, so every route pays the context manager alike).
  const tracing = startTracing();
  const app = await startRnhApp(redisHost!, redisPort);

  // @rnh/ratelimit as an app builds it, with its Express middleware (draft-8 headers).
  const limiter = new RateLimiter(
    {
      redis: app.connections.shared('commands'),
      keys: app.connections.keys.child('ratelimit'),
      logger: app.logger,
      registry: app.registry,
    },
    { name: 'bench-http', policies: fixedWindow({ limit, windowMs }), failure: 'open' },
  );

  // express-rate-limit + rate-limit-redis as their READMEs show for ioredis.
  const erlClient = new Redis({ host: redisHost, port: redisPort });
  const erl = expressRateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new RedisStore({
      prefix: 'bench-http-erl:',
      sendCommand: (command: string, ...args: string[]) =>
        erlClient.call(command, ...args) as Promise<RedisReply>,
    }),
  });

  // rate-limiter-flexible has no middleware: the few lines its README shows for Express.
  const rlfClient = new Redis({ host: redisHost, port: redisPort, enableOfflineQueue: false });
  const rlf = new RateLimiterRedis({
    storeClient: rlfClient,
    keyPrefix: 'bench-http-rlf',
    points: limit,
    duration: windowMs / 1000,
  });
  const rlfMiddleware: RequestHandler = (req, res, next) => {
    rlf.consume(req.ip ?? 'unknown').then(
      () => next(),
      (error: unknown) => {
        if (error instanceof RateLimiterRes) res.status(429).send('Too Many Requests');
        else next(error);
      },
    );
  };

  const server = express();
  server.disable('x-powered-by');
  server.set('trust proxy', 'loopback');
  const answer: RequestHandler = (_req, res) => {
    res.json({ ok: true });
  };
  server.get('/rnh/items', rateLimit(limiter, { key: ipKey() }), answer);
  server.get('/erl/items', erl, answer);
  server.get('/rlf/items', rlfMiddleware, answer);
  server.get('/none/items', answer);

  const listener = server.listen(0, '127.0.0.1', () => {
    const address = listener.address();
    console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));
  });
  process.once('SIGTERM', () => {
    listener.close();
    listener.closeAllConnections();
    void (async () => {
      await app.connections.close();
      erlClient.disconnect();
      rlfClient.disconnect();
      await tracing.shutdown();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
