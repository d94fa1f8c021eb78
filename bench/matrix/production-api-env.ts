// The environment of the built api as a bench runs it: production settings (what production
// refuses to start without, its defaults otherwise) on a redis-server of the bench's own, with an
// ACL user and password, since production refuses a Redis without one.
export interface ProductionApiEnvOptions {
  port: number;
  metricsPort: number;
  dataDir: string;
  redisUrl: string;
  redisUser: string;
  redisPassword: string;
  /** Names the secrets (`<name>-session-secret-…`). */
  name: string;
}

export function productionApiEnv(options: ProductionApiEnvOptions): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    API_HOST: '127.0.0.1',
    API_PORT: String(options.port),
    API_METRICS_PORT: String(options.metricsPort),
    API_TRUST_PROXY: 'loopback',
    API_DATA_DIR: options.dataDir,
    REDIS_URL: options.redisUrl,
    REDIS_USERNAME: options.redisUser,
    REDIS_PASSWORD: options.redisPassword,
    SESSION_SECRET: `${options.name}-session-secret-0123456789abcdefghij`,
    JOB_SECRET_KEY: `${options.name}-job-secret-key-0123456789abcdefghij`,
  };
}
