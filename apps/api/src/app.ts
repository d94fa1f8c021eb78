// The Express application: middleware order, routes, and JSON errors. No listening here (see server.ts).
import express, { type Express } from 'express';
import { httpMetricsMiddleware, metricsHandler } from '@rnh/telemetry';
import type { ApiContainer } from './container.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { healthRouter } from './routes/health.js';

export function createApp(container: ApiContainer): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', container.config.http.trustProxy);

  app.use(httpMetricsMiddleware(container.registry));
  app.get('/metrics', metricsHandler(container.registry));
  app.use(healthRouter(container));

  app.use(notFoundHandler);
  app.use(errorHandler(container.logger));
  return app;
}
