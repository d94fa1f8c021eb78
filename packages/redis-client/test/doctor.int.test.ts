import { freePort, startRedisServer, type RedisServerHandle } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/doctor/cli.js';
import { runRedisDoctor } from '../src/doctor/doctor.js';
import { formatDoctorReport } from '../src/doctor/format.js';
import type { DoctorReport } from '../src/types.js';
import { optionsFor } from './helpers.js';

let server: RedisServerHandle;

beforeAll(async () => {
  // `limited` may use keys but not CONFIG, like a managed Redis.
  server = await startRedisServer({ aclUsers: ['user limited on >pw ~* &* +@all -config'] });
});
afterAll(async () => {
  await server?.destroy();
});

function statusOf(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((check) => [check.name, check.status]));
}

describe('runRedisDoctor', () => {
  it('reports ok with warnings for a default test server in production', async () => {
    const options = optionsFor(server);
    const report = await runRedisDoctor(options, { production: true });
    expect(report.ok).toBe(true);
    expect(statusOf(report)).toEqual({
      connect: 'ok',
      auth: 'warn',
      ping: 'ok',
      'read-write': 'ok',
      server: 'ok',
      maxmemory: 'warn',
      'eviction-policy': 'ok',
      persistence: 'warn',
    });
    expect(report.server).toMatchObject({
      role: 'master',
      mode: 'standalone',
      maxMemoryBytes: 0,
      evictionPolicy: 'noeviction',
      rdb: false,
      aof: false,
    });
    expect(report.server?.version).toMatch(/^\d+\.\d+/);

    // The probe key is gone afterwards.
    const admin = new Redis({ host: server.host, port: server.port });
    try {
      const [, found] = await admin.scan('0', 'MATCH', `${options.keyPrefix}doctor:*`, 'COUNT', 1000);
      expect(found).toEqual([]);
    } finally {
      await admin.quit();
    }

    const text = formatDoctorReport(report);
    for (const check of report.checks)
      expect(text).toContain(`${check.status === 'ok' ? '✓' : '!'} ${check.name}`);
    expect(text).toContain('Redis doctor: OK with 3 warnings');
  });

  it('is quiet about the password outside production and warns about eviction policies', async () => {
    const admin = new Redis({ host: server.host, port: server.port });
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const report = await runRedisDoctor(optionsFor(server), { production: false });
      expect(statusOf(report)).toMatchObject({ auth: 'ok', 'eviction-policy': 'warn' });
      expect(report.checks.find((check) => check.name === 'eviction-policy')?.detail).toMatch(
        /allkeys-lru.*BullMQ/,
      );
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await admin.quit();
    }
  });

  it('warns, not fails, when CONFIG is not allowed', async () => {
    const report = await runRedisDoctor(optionsFor(server, { username: 'limited', password: 'pw' }), {
      production: true,
    });
    expect(report.ok).toBe(true);
    expect(statusOf(report)).toMatchObject({ auth: 'ok', config: 'warn', 'eviction-policy': 'ok' });
  });

  it('fails with a clear reason when nothing listens or the password is wrong', async () => {
    const port = await freePort();
    const down = await runRedisDoctor(optionsFor({ host: '127.0.0.1', port }), { production: false });
    expect(down.ok).toBe(false);
    expect(down.checks).toEqual([
      {
        name: 'connect',
        status: 'fail',
        detail: expect.stringContaining(`127.0.0.1:${port}/0: connection refused`),
      },
    ]);
    expect(formatDoctorReport(down)).toMatch(/^✗ connect {2}Could not connect/m);

    const wrong = await runRedisDoctor(optionsFor(server, { username: 'limited', password: 'nope' }), {
      production: false,
    });
    expect(wrong.checks[0]).toMatchObject({
      name: 'connect',
      status: 'fail',
      detail: expect.stringMatching(/authentication failed for user "limited"/),
    });
    expect(JSON.stringify(wrong)).not.toContain('nope');
  });
});

describe('doctor CLI main()', () => {
  it('exits 0 and prints the report for a reachable server', async () => {
    const lines: string[] = [];
    const code = await main({ REDIS_URL: server.url, REDIS_KEY_PREFIX: 'cli-test:' }, (line) =>
      lines.push(line),
    );
    expect(code).toBe(0);
    expect(lines[0]).toBe(`Checking Redis at ${server.url}/0 (key prefix "cli-test:")`);
    expect(lines.some((line) => line.startsWith('✓ connect'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^Redis doctor: OK/);
  });

  it('exits 2 with the variable named for bad configuration, 1 when Redis is unreachable', async () => {
    const lines: string[] = [];
    expect(await main({ REDIS_PORT: 'abc' }, (line) => lines.push(line))).toBe(2);
    expect(lines).toEqual([
      '✗ Invalid Redis configuration: REDIS_PORT must be a port number 1-65535 (got "abc")',
    ]);

    const port = await freePort();
    const out: string[] = [];
    expect(
      await main({ REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port), NODE_ENV: 'production' }, (line) =>
        out.push(line),
      ),
    ).toBe(1);
    expect(out.at(-1)).toBe('Redis doctor: FAILED (1 failure)');
  });
});
