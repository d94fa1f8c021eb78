// Liveness with the view of Redis and the database (/health), and readiness for load balancers (/ready).
import { Router } from 'express';
import type { ApiContainer } from '../container.js';

export function healthRouter(container: ApiContainer): Router {
  const router = Router();
  const check = async () => {
    const [redis, database] = await Promise.all([container.redis.ping(), container.database.health()]);
    return {
      redis,
      database: { kind: container.database.kind, ...database },
      up: redis.status === 'up' && database.status === 'up',
    };
  };

  // Alive as long as the process answers; dependencies are reported, not required.
  router.get('/health', async (_req, res) => {
    const { redis, database, up } = await check();
    res.json({ status: up ? 'ok' : 'degraded', redis, database });
  });

  // Ready only when Redis and the database answer and no shutdown has begun.
  router.get('/ready', async (_req, res) => {
    const { redis, database, up } = await check();
    const ready = up && !container.isShuttingDown();
    res.status(ready ? 200 : 503).json({ ready, redis, database, shuttingDown: container.isShuttingDown() });
  });

  return router;
}
