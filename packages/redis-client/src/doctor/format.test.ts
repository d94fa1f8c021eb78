import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../types.js';
import { formatDoctorReport } from './format.js';
import { serverChecks } from './server-checks.js';

describe('formatDoctorReport', () => {
  it('prints one line per check with its marker, then the verdict', () => {
    const report: DoctorReport = {
      ok: false,
      checks: [
        { name: 'connect', status: 'ok', detail: 'connected' },
        { name: 'maxmemory', status: 'warn', detail: 'no limit' },
        { name: 'read-write', status: 'fail', detail: 'NOPERM' },
      ],
    };
    const lines = formatDoctorReport(report).split('\n');
    expect(lines[0]).toMatch(/^✓ connect +connected$/);
    expect(lines[1]).toMatch(/^! maxmemory +no limit$/);
    expect(lines[2]).toMatch(/^✗ read-write +NOPERM$/);
    expect(lines.at(-1)).toBe('Redis doctor: FAILED (1 failure, 1 warning)');
  });

  it('summarises the server when known', () => {
    const text = formatDoctorReport({
      ok: true,
      checks: [{ name: 'connect', status: 'ok', detail: 'connected' }],
      server: {
        version: '7.2.4',
        role: 'master',
        mode: 'standalone',
        usedMemoryBytes: 2048,
        maxMemoryBytes: 0,
        evictionPolicy: 'noeviction',
        rdb: true,
        aof: false,
        latencyMs: 0.4,
      },
    });
    expect(text).toContain(
      'Redis 7.2.4 (standalone, master), memory 2.0 KB used / no limit, policy noeviction, RDB on, AOF off',
    );
    expect(text.split('\n').at(-1)).toBe('Redis doctor: OK');
  });
});

describe('serverChecks', () => {
  const base = {
    version: '7.2.4',
    role: 'master',
    mode: 'standalone',
    usedMemoryBytes: 1024,
    maxMemoryBytes: 1 << 20,
    evictionPolicy: 'noeviction',
    rdb: false,
    aof: true,
    latencyMs: 1,
    configReadable: true,
  };

  it('is all ok for a well configured server', () => {
    expect(serverChecks(base).every((check) => check.status === 'ok')).toBe(true);
  });

  it('warns about eviction, no limit, no persistence, replicas, old versions and unreadable CONFIG', () => {
    const checks = serverChecks({
      ...base,
      evictionPolicy: 'allkeys-lru',
      maxMemoryBytes: 0,
      aof: false,
      role: 'slave',
      configReadable: false,
    });
    const byName = Object.fromEntries(checks.map((check) => [check.name, check]));
    expect(byName['eviction-policy']).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('BullMQ'),
    });
    expect(byName.maxmemory?.status).toBe('warn');
    expect(byName.persistence).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('RDB unknown, AOF off'),
    });
    expect(byName.server).toMatchObject({ status: 'warn', detail: expect.stringContaining('replica') });
    expect(byName.config?.status).toBe('warn');
    expect(serverChecks({ ...base, version: '5.0.7' }).find((c) => c.name === 'server')?.status).toBe('warn');
  });
});
