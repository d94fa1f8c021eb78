// The packages as a user outside this repository gets them: every public package packed, the
// tarballs installed with npm into a temp project that has its own ioredis (the newest 5.x and
// 6.x), then against a real redis-server an ESM and a CommonJS script each making a cache, a
// rate limiter, a session store and a queue and doing one real operation with each; the same in
// TypeScript type-checked under moduleResolution nodenext, node16 and bundler; and attw over
// every tarball. The scripts live in fixtures/outside-consumer/. The packs hold the built dist:
// e2e depends on the packages, so `turbo run test` builds them first.
import { execFile as execFileCallback } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { useRedisServer } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerProject, packPackages, publicPackageFolders, userEnv } from './support/consumer-project.js';
import { repoRoot } from './support/repo-copy.js';

const execFile = promisify(execFileCallback);
const require = createRequire(import.meta.url);
const FIXTURES = join(repoRoot, 'e2e/test/fixtures/outside-consumer');
const TSC = require.resolve('typescript/bin/tsc');
const ATTW = join(require.resolve('@arethetypeswrong/cli/package.json'), '../dist/index.js');

/** The user's own ioredis: the newest of each major the packages' peer range accepts. */
const IOREDIS_VERSIONS = ['ioredis@^5', 'ioredis@^6'];
/** What the user installs next to the packages: the scripts use zod for a job schema, TypeScript needs the types. */
const USER_DEPENDENCIES = ['zod@^4', 'express-session@^1', '@types/express-session@^1', '@types/node@^20'];
/** What every consumer script prints after one operation with each package. */
const EXPECTED_OUTPUT = { cached: 'hello', limits: [true, false], sessionUser: 'user-1', waiting: 1 };

const redis = useRedisServer();
const packDir = mkdtempSync(join(tmpdir(), 'rnh-packs-'));
const projects: string[] = [];
let tarballs: string[];

beforeAll(async () => {
  tarballs = await packPackages(publicPackageFolders(), packDir);
});

afterAll(() => {
  for (const dir of [packDir, ...projects]) rmSync(dir, { recursive: true, force: true });
});

it('attw finds no problem in any published package', async () => {
  expect(tarballs.length, 'tarballs to check').toBeGreaterThan(0);
  // --profile node16: the packages are ESM with exports, which node10 resolution cannot read.
  // cjs-resolves-to-esm: attw (its TypeScript is 5.6) does not know require(esm) yet
  // (arethetypeswrong/arethetypeswrong.github.io#252); the CommonJS script and consumer.cts
  // under nodenext below show that require() works, in Node and in TypeScript.
  const reports = await Promise.all(
    tarballs.map(async (tarball) => {
      const args = [
        ATTW,
        tarball,
        '--profile',
        'node16',
        '--ignore-rules',
        'cjs-resolves-to-esm',
        '--format',
        'ascii',
      ];
      const result = await execFile(process.execPath, args, { env: userEnv() }).then(
        ({ stdout }) => ({ ok: true, stdout }),
        (error: { stdout?: string }) => ({ ok: false, stdout: error.stdout ?? String(error) }),
      );
      return { tarball: basename(tarball), ...result };
    }),
  );
  expect(reports.filter((report) => !report.ok)).toEqual([]);
});

describe.each(IOREDIS_VERSIONS)('a project with its own %s', (ioredis) => {
  let project: string;

  beforeAll(async () => {
    project = await consumerProject('consumer', FIXTURES, tarballs, [ioredis, ...USER_DEPENDENCIES]);
    projects.push(project);
  });

  it('has one ioredis, the user’s: no package brings a copy of its own', () => {
    const nested = ['cache', 'queue', 'ratelimit', 'redis-client', 'sessions'].filter((name) =>
      existsSync(join(project, 'node_modules/@rnh', name, 'node_modules/ioredis')),
    );
    expect(nested).toEqual([]);
  });

  it.each(['consumer.mjs', 'consumer.cjs'])('runs %s against a real Redis', async (script) => {
    const prefix = `${script.replace('.', '-')}-${ioredis.replace(/\W/g, '')}`;
    const { stdout } = await execFile(process.execPath, [script, redis.server.url, prefix], {
      cwd: project,
      env: userEnv(),
    });
    expect(JSON.parse(stdout)).toEqual(EXPECTED_OUTPUT);
    // The keys are where the user's prefix puts them, in the user's Redis.
    expect(await redis.admin.exists(`${prefix}:cache:default:greeting`)).toBe(1);
  });

  it.each(['nodenext', 'node16', 'bundler'])(
    'type-checks consumer.ts under moduleResolution %s',
    async (mode) => {
      const result = await execFile(process.execPath, [TSC, '-p', `tsconfig.${mode}.json`], {
        cwd: project,
        env: userEnv(),
      }).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      expect(result).toBe('');
    },
  );
});
