// The packages as a user outside this repository gets them: every public package packed, the
// tarballs installed with npm into a temp project that has its own ioredis (the newest 5.x and
// 6.x), then the examples each package's README shows (read from the README in the installed
// tarball) copied into the project as they are: compiled there with moduleResolution nodenext and
// run against a real redis-server as ES modules and, their top-level code moved into an async
// function, as CommonJS; type-checked under node16 and bundler too; and attw over every tarball.
// The packs hold the built dist: e2e depends on the packages, so turbo builds them first.
// `npm run test:consumer` runs this file (it installs from the npm registry and takes minutes).
import { execFile as execFileCallback } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { scanKeys, useRedisServer } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerProject, packPackages, publicPackageFolders, userEnv } from './support/consumer-project.js';
import { asCommonJs, readmeExamples } from './support/readme-examples.js';
import { repoRoot } from './support/repo-copy.js';

const execFile = promisify(execFileCallback);
const require = createRequire(import.meta.url);
const FIXTURES = join(repoRoot, 'e2e/test/fixtures/outside-consumer');
const TSC = require.resolve('typescript/bin/tsc');
const ATTW = join(require.resolve('@arethetypeswrong/cli/package.json'), '../dist/index.js');

/** The user's own ioredis: the newest of each major the packages' peer range accepts. */
const IOREDIS_VERSIONS = ['ioredis@^5', 'ioredis@^6'];
/** What the user installs next to the packages: the queue's, config's and realtime's examples use zod, TypeScript needs the types. */
const USER_DEPENDENCIES = ['zod@^4', 'express-session@^1', '@types/express-session@^1', '@types/node@^20'];
/**
 * What each README example prints, by package and example path. Every example a published README
 * shows must be here, and only those: a new one gets its expected output, a lost one fails.
 */
const EXPECTED_OUTPUT: Record<string, string[]> = {
  '@rnh/cache examples/quick-start.ts': ["Ada { id: 42, name: 'Ada' }"],
  '@rnh/config examples/quick-start.ts': [
    '3000 5000 { limit: 5, windowMs: 900000 } info',
    'Invalid configuration:',
    '  - PORT must be a port number 1-65535 (got "http")',
    '  - LOGIN_LIMIT must look like 100/15m (a count per 30s, 15m, 1h or 1d), or off (got "lots")',
  ],
  '@rnh/mail examples/quick-start.ts': ['file', 'ada@example.com Reset your password true'],
  '@rnh/queue examples/quick-start.ts': ['welcome sent to ada@example.com'],
  '@rnh/ratelimit examples/quick-start.ts': ['1 true 1', '2 true 0', '3 false 0'],
  '@rnh/realtime examples/quick-start.ts': [
    "notification { text: 'Your referral was accepted' }",
    'ada online: true',
  ],
  '@rnh/sessions examples/quick-start.ts': ["{ subject: 'user-42', data: {} }", 'sessions stored: 0'],
};
/** A run that takes longer is stuck (e.g. a connection left open keeps the process alive). */
const EXAMPLE_TIMEOUT_MS = 120_000;

interface ProjectExample {
  /** `<package> <path>`, the key of EXPECTED_OUTPUT. */
  id: string;
  /** File name in the project's examples/ and, compiled, in dist/ (without the extension). */
  file: string;
}

const redis = useRedisServer();
const packDir = mkdtempSync(join(tmpdir(), 'rnh-packs-'));
const projects: string[] = [];
let tarballs: string[];
// Each run gets a database of its own (the examples use their README's default key prefixes).
let lastDatabase = 0;

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
  // (arethetypeswrong/arethetypeswrong.github.io#252); the CommonJS runs and the .cts files
  // compiled under nodenext below show that require() works, in Node and in TypeScript.
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
  let examples: ProjectExample[];
  let compiled: Promise<string> | undefined;
  /** tsc with the project's tsconfig.nodenext.json, which also writes dist/; once for every test. */
  const compileOnce = () => (compiled ??= tsc(project, 'nodenext'));

  beforeAll(async () => {
    project = await consumerProject('consumer', FIXTURES, tarballs, [ioredis, ...USER_DEPENDENCIES]);
    projects.push(project);
    examples = await copyReadmeExamples(project);
  });

  it('has one ioredis, the user’s: no package brings a copy of its own', () => {
    const nested = ['cache', 'queue', 'ratelimit', 'realtime', 'redis-client', 'sessions'].filter((name) =>
      existsSync(join(project, 'node_modules/@rnh', name, 'node_modules/ioredis')),
    );
    expect(nested).toEqual([]);
  });

  it('finds the example of every README that shows one, and knows what each prints', () => {
    expect(examples.map((example) => example.id).sort()).toEqual(Object.keys(EXPECTED_OUTPUT).sort());
  });

  it('compiles the README examples under moduleResolution nodenext, as ES modules and as CommonJS', async () => {
    expect(await compileOnce()).toBe('');
  });

  it.each(['node16', 'bundler'])(
    'type-checks the README examples under moduleResolution %s',
    async (mode) => {
      expect(await tsc(project, mode)).toBe('');
    },
  );

  it.each([
    ['ES modules', '.js'],
    ['CommonJS', '.cjs'],
  ])('runs the README examples as %s against a real Redis', async (_format, extension) => {
    expect(await compileOnce(), 'the nodenext compile').toBe('');
    const url = `${redis.server.url}/${(lastDatabase += 1)}`;
    const printed: Record<string, string[]> = {};
    // One after another: they share the database, each under its own default prefix.
    for (const example of examples) {
      const { stdout } = await execFile(process.execPath, [join('dist', `${example.file}${extension}`)], {
        cwd: project,
        env: { ...userEnv(), REDIS_URL: url },
        timeout: EXAMPLE_TIMEOUT_MS,
      });
      printed[example.id] = stdout.trimEnd().split('\n');
    }
    expect(printed).toEqual(EXPECTED_OUTPUT);
    // The keys are where the READMEs say, in the database the user's REDIS_URL names.
    const admin = new Redis(url);
    try {
      const keys = await scanKeys(admin, '*');
      expect(keys).toContain('rnh:cache:default:user:42');
      expect(keys.filter((key) => !key.startsWith('rnh:'))).toEqual([]);
    } finally {
      await admin.quit();
    }
  });
});

/**
 * Writes each example the installed packages' READMEs show into `project`/examples twice: as
 * shown (`<name>.ts`, an ES module, since the project is `"type": "module"`) and as CommonJS
 * (`<name>.cts`).
 */
async function copyReadmeExamples(project: string): Promise<ProjectExample[]> {
  mkdirSync(join(project, 'examples'));
  const examples: ProjectExample[] = [];
  for (const folder of publicPackageFolders()) {
    const installed = join(project, 'node_modules/@rnh', basename(folder));
    const { name } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { name: string };
    for (const { path, source } of await readmeExamples(join(installed, 'README.md'))) {
      const file = `${basename(folder)}-${basename(path, '.ts')}`;
      writeFileSync(join(project, 'examples', `${file}.ts`), source);
      writeFileSync(join(project, 'examples', `${file}.cts`), asCommonJs(source));
      examples.push({ id: `${name} ${path}`, file });
    }
  }
  return examples;
}

/** Runs tsc with the project's tsconfig.<mode>.json; answers its report, empty when all is well. */
function tsc(project: string, mode: string): Promise<string> {
  return execFile(process.execPath, [TSC, '-p', `tsconfig.${mode}.json`], {
    cwd: project,
    env: userEnv(),
  }).then(
    () => '',
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
}
