// `.env` files as a developer uses them: the built api started by its own `start` script in a copy
// of the repository layout (root/.env, root/apps/api/.env.local), each file's effect seen from outside.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  freePort,
  startAppProcess,
  uniquePrefix,
  useRedisServer,
  waitFor,
  type AppProcess,
} from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiDir } from './support/api-env.js';
import { startOtlpCollector, type OtlpCollector } from './support/otlp-collector.js';

const redis = useRedisServer();

/** The node arguments of `pnpm start` in apps/api, read from package.json so the test cannot drift. */
function startScriptArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(apiDir, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command, ...args] = pkg.scripts.start.split(/\s+/);
  expect(command).toBe('node');
  return args;
}

/** root/apps/api with the built dist and package.json copied and node_modules linked: the preload finds
 *  its .env files next to where it lies, so the developer's own files in the real checkout stay out. */
function repositoryLayout(): { root: string; appDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'rnh-env-files-'));
  const appDir = join(root, 'apps', 'api');
  mkdirSync(appDir, { recursive: true });
  cpSync(join(apiDir, 'dist'), join(appDir, 'dist'), { recursive: true });
  cpSync(join(apiDir, 'package.json'), join(appDir, 'package.json'));
  symlinkSync(join(apiDir, 'node_modules'), join(appDir, 'node_modules'), 'dir');
  return { root, appDir };
}

describe('the api started with .env files', () => {
  let root: string;
  let api: AppProcess;
  let collector: OtlpCollector;
  let port: number;
  let portInFiles: number;
  let metricsPort: number;

  beforeAll(async () => {
    const layout = repositoryLayout();
    root = layout.root;
    collector = await startOtlpCollector();
    [port, portInFiles, metricsPort] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(
      join(root, '.env'),
      [
        `API_PORT=${portInFiles}`, // the real environment's API_PORT wins
        `API_METRICS_PORT=${metricsPort}`, // only here: the metrics listener moves
        'OTEL_SERVICE_NAME=from-root-env', // apps/api/.env.local's wins
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(layout.appDir, '.env.local'),
      [
        'OTEL_SERVICE_NAME=from-app-env-local',
        `OTEL_EXPORTER_OTLP_ENDPOINT=${collector.endpoint}`,
        'OTEL_TRACES_EXPORTER=otlp',
        'OTEL_BSP_SCHEDULE_DELAY=100',
        '',
      ].join('\n'),
    );
    api = await startAppProcess({
      cwd: layout.appDir,
      args: startScriptArgs(),
      port,
      env: {
        API_PORT: String(port),
        API_HOST: '127.0.0.1',
        API_DATA_DIR: join(root, 'data'),
        REDIS_URL: redis.server.url,
        REDIS_KEY_PREFIX: uniquePrefix('env-files'),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await collector?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('answers on the real environment port, not the one in the root .env', async () => {
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${portInFiles}/health`)).rejects.toThrow();
  });

  it('serves /metrics on the port the root .env names', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('http_server_request_duration_seconds');
  });

  it('traces and logs under the service name of apps/api/.env.local, read before the telemetry preload', async () => {
    await fetch(`${api.url}/no-such-page`);
    const spans = await waitFor(() => (collector.spans.length > 0 ? collector.spans : undefined), {
      timeoutMs: 30_000,
      what: 'a span at the collector named in apps/api/.env.local',
    });
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(['from-app-env-local']));
    expect(api.output()).toContain('"name":"from-app-env-local"');
  });
});

describe('the scripts run from the repository root', () => {
  let root: string;
  beforeAll(() => {
    const layout = repositoryLayout();
    root = layout.root;
    writeFileSync(
      join(layout.appDir, '.env.local'),
      'DATABASE_URL=mysql://from-app-env-local\nREDIS_PORT=abc\n',
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** As `npm run seed` and `npm run redis:doctor` start them: cwd is the root, not apps/api. */
  const runFromRoot = (script: string) =>
    promisify(execFile)(process.execPath, [join('apps', 'api', 'dist', 'scripts', script)], {
      cwd: root,
      env: { PATH: process.env.PATH },
    }).catch((error: { code: number; stderr: string }) => error);

  it.each(['seed.js', 'redis-doctor.js'])(
    '%s reads apps/api/.env.local: its bad values are named, exit code 2',
    async (script) => {
      const failed = await runFromRoot(script);
      expect(failed).toMatchObject({ code: 2 });
      expect((failed as { stderr: string }).stderr).toContain(
        'REDIS_PORT must be a port number 1-65535 (got "abc")',
      );
      expect((failed as { stderr: string }).stderr).toContain('(got "mysql://from-app-env-local")');
    },
    60_000,
  );
});
