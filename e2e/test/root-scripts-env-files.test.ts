// The root scripts (plain Node, run before `pnpm install`) read the apps' .env files as the apps do,
// so `npm start` and `pnpm dev` check, or start, the Redis the api will connect to.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..');

interface RedisScripts {
  withEnvFiles(app: string, env: Record<string, string>): Record<string, string | undefined>;
  configuredRedisAddress(env: Record<string, string | undefined>): {
    host: string;
    port: number;
    password?: string;
  };
}

describe('scripts/redis.mjs with .env files', () => {
  let root: string;
  let scripts: RedisScripts;

  beforeAll(async () => {
    // The scripts find the repository from their own location: a copy of them in a temporary layout.
    root = mkdtempSync(join(tmpdir(), 'rnh-root-scripts-'));
    cpSync(join(repoRoot, 'scripts'), join(root, 'scripts'), { recursive: true });
    mkdirSync(join(root, 'apps', 'api'), { recursive: true });
    writeFileSync(join(root, '.env'), 'REDIS_URL=redis://:from-root@127.0.0.1:7001\n');
    writeFileSync(join(root, '.env.local'), 'REDIS_URL=redis://:from-root-local@127.0.0.1:7002\n');
    writeFileSync(join(root, 'apps', 'api', '.env.local'), 'REDIS_PORT=7003\n');
    const load = (file: string) => import(pathToFileURL(join(root, 'scripts', file)).href);
    scripts = { ...(await load('env-files.mjs')), ...(await load('redis.mjs')) } as RedisScripts;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("sees the address the api will use: apps/api/.env.local's port on the root .env.local's URL", () => {
    expect(scripts.configuredRedisAddress(scripts.withEnvFiles('api', {}))).toEqual({
      host: '127.0.0.1',
      port: 7003,
      password: 'from-root-local',
    });
  });

  it('lets the real environment win, and reads no file under NODE_ENV=test', () => {
    expect(scripts.configuredRedisAddress(scripts.withEnvFiles('api', { REDIS_PORT: '7004' })).port).toBe(
      7004,
    );
    expect(scripts.configuredRedisAddress(scripts.withEnvFiles('api', { NODE_ENV: 'test' }))).toEqual({
      host: '127.0.0.1',
      port: 6379,
      password: undefined,
    });
  });
});
