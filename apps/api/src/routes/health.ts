// Liveness with the Redis view (/health) and readiness for load balancers (/ready).
import { Router } from 'express';
import type { ApiContainer } from '../container.js';

export function healthRouter(container: ApiContainer): Router {
  const router = Router();

  // Alive as long as the process answers; Redis status is reported, not required.
  router.get('/health', async (_req, res) => {
    const redis = await container.redis.ping();
    res.json({ status: redis.status === 'up' ? 'ok' : 'degraded', redis });
  });

  // Ready only when Redis answers and no shutdown has begun.
  router.get('/ready', async (_req, res) => {
    const redis = await container.redis.ping();
    const ready = redis.status === 'up' && !container.isShuttingDown();
    res.status(ready ? 200 : 503).json({ ready, redis, shuttingDown: container.isShuttingDown() });
  });

  return router;
}
