// What the apps' configuration accepts, from the apps' own code rather than copied here: their
// config schemas (as tooling/config-docs reads them for docs/configuration.md), the Redis and
// tracing variables, and loadConfig itself, to learn the ports and deadlines an environment gives.
import { configSchema as apiSchema, loadConfig as loadApiConfig } from '@rnh/api/config';
import { redisEnvVariables, type RedisOptions } from '@rnh/redis-client';
import { telemetryEnvVariables } from '@rnh/telemetry';
import { configSchema as workerSchema, loadConfig as loadWorkerConfig } from '@rnh/worker/config';

export const APPS = ['api', 'worker'] as const;
export type AppName = (typeof APPS)[number];
export type Env = Record<string, string | undefined>;

/** What a deployment must agree with, as the app itself derives it from its environment. */
export interface AppSettings {
  nodeEnv: string;
  /** The port of GET /health and GET /ready. */
  port: number;
  /** Where GET /metrics is served; undefined when the api's metrics listener is off. */
  metrics: { host: string; port: number } | undefined;
  shutdownTimeoutMs: number;
  /** How long the app serves after SIGTERM before it starts to stop (the api's drain; 0 for the worker). */
  shutdownDrainMs: number;
  redis: RedisOptions;
  /** API_TRUST_PROXY as the api reads it (the worker has no HTTP clients). */
  trustProxy?: boolean | number | string[];
  databaseUrl?: string | undefined;
  smtpUrl?: string | undefined;
}

/**
 * The app's loadConfig on `env`: throws the app's own ConfigError (naming every bad variable) when
 * the app would refuse to start with it.
 */
export function appSettings(app: AppName, env: Env): AppSettings {
  if (app === 'api') {
    const config = loadApiConfig(env);
    return {
      nodeEnv: config.nodeEnv,
      port: config.http.port,
      metrics: config.metrics,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      shutdownDrainMs: config.shutdownDrainMs,
      redis: config.redis,
      trustProxy: config.http.trustProxy,
      databaseUrl: config.databaseUrl,
    };
  }
  const config = loadWorkerConfig(env);
  return {
    nodeEnv: config.nodeEnv,
    port: config.http.port,
    // The worker serves /metrics beside /health and /ready.
    metrics: config.http,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    shutdownDrainMs: 0,
    redis: config.redis,
    smtpUrl: config.mail.smtpUrl,
  };
}

/** Every variable the app reads: its config schema's, the Redis connection's, OpenTelemetry's. */
export function knownVariables(app: AppName): Set<string> {
  const schema = app === 'api' ? apiSchema : workerSchema;
  return new Set([
    ...Object.keys(schema.shape),
    ...redisEnvVariables.map((variable) => variable.name),
    ...telemetryEnvVariables.map((variable) => variable.name),
  ]);
}

/** The variable that sets the app's shutdown deadline (shutdownTimeoutMs). */
export const SHUTDOWN_VARIABLE: Record<AppName, string> = {
  api: 'API_SHUTDOWN_TIMEOUT_MS',
  worker: 'WORKER_SHUTDOWN_TIMEOUT_MS',
};

/**
 * How many times its shutdown deadline an app may take to stop, at worst: the steps that each wait
 * up to the deadline, one after another. The api: in-flight requests (server.ts), then its running
 * `network` jobs, then Redis's QUIT (container.ts). The worker: its running jobs, then Redis's QUIT
 * (container.ts).
 */
export const SHUTDOWN_STEPS: Record<AppName, number> = { api: 3, worker: 2 };

/**
 * Variables that hold a secret (or a URL that may carry a password): a deployment takes them from
 * a Secret, never writes them down.
 */
export function isSecretVariable(name: string): boolean {
  return /SECRET|PASSWORD|_KEY$/.test(name) || ['DATABASE_URL', 'SMTP_URL', 'REDIS_URL'].includes(name);
}

/** A value the app accepts for a secret variable, for trying a deployment's environment. */
export function placeholderSecret(name: string): string {
  if (name === 'DATABASE_URL') return 'postgres://rnh:placeholder@postgres.example.com:5432/rnh';
  if (name === 'SMTP_URL') return 'smtp://rnh:placeholder@smtp.example.com:587';
  if (name === 'REDIS_URL') return 'redis://:placeholder@redis.example.com:6379';
  // Long enough for the 32-character minimum of SESSION_SECRET and JOB_SECRET_KEY.
  return `placeholder-${name.toLowerCase()}-`.padEnd(48, 'x');
}
