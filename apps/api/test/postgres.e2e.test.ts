// The api on a real PostgreSQL (DATABASE_URL) instead of embedded PGlite: same flows, data kept across restarts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  startAppProcess,
  startRedisServer,
  uniquePrefix,
  type AppProcess,
  type RedisServerHandle,
} from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db/support/postgres.js';
import { HttpClient } from './support/http-client.js';

const apiDir = fileURLToPath(new URL('..', import.meta.url));

describe('api on PostgreSQL', () => {
  let redis: RedisServerHandle;
  let database: TestDatabase;
  let dataDir: string;
  let api: AppProcess | undefined;

  const startApi = async () => {
    const port = await freePort();
    api = await startAppProcess({
      cwd: apiDir,
      port,
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        OTEL_TRACES_EXPORTER: 'none',
        API_HOST: '127.0.0.1',
        API_PORT: String(port),
        API_METRICS_PORT: String(await freePort()),
        API_DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: uniquePrefix('pg'),
      },
    });
    return api;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'rnh-api-pg-'));
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
    await redis?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports PostgreSQL on /health, signs up and keeps the account across restarts', async () => {
    const first = await startApi();
    const health = (await (await fetch(`${first.url}/health`)).json()) as {
      database: { kind: string; status: string };
    };
    expect(health.database).toMatchObject({ kind: 'postgres', status: 'up' });

    const browser = new HttpClient(first.url);
    const signup = await browser.post('/auth/signup', {
      email: 'pg@example.com',
      password: 'correct horse battery',
      displayName: 'Pg',
    });
    expect(signup.status).toBe(201);
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const second = await startApi();
    const login = await new HttpClient(second.url).post('/auth/login', {
      email: 'pg@example.com',
      password: 'correct horse battery',
    });
    expect(login.status).toBe(200);
  });
});
