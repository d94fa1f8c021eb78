// Sentinel mode against a real master and a real Sentinel: discovery, commands, health, INFO, doctor.
import {
  startRedisSentinel,
  startRedisServer,
  uniquePrefix,
  type RedisSentinelHandle,
  type RedisServerHandle,
} from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRedisOptions } from '../src/config/defaults.js';
import { RedisConnections } from '../src/connection/connections.js';
import { runRedisDoctor } from '../src/doctor/doctor.js';
import { memoryLogger } from './helpers.js';

const password = 'sentinel-test-password';
let master: RedisServerHandle;
let sentinel: RedisSentinelHandle;

beforeAll(async () => {
  master = await startRedisServer({ password });
  sentinel = await startRedisSentinel({ master, password });
});
afterAll(async () => {
  await sentinel?.destroy();
  await master?.destroy();
});

describe('behind Redis Sentinel', () => {
  const options = () =>
    defaultRedisOptions({
      mode: 'sentinel',
      sentinels: [{ host: sentinel.host, port: sentinel.port }],
      sentinelName: sentinel.masterName,
      password,
      keyPrefix: uniquePrefix('sentinel'),
      connectTimeoutMs: 5000,
    });

  it('finds the master through the Sentinel and runs commands there', async () => {
    const registry = new Registry();
    const connections = new RedisConnections({ options: options(), logger: memoryLogger().logger, registry });
    try {
      await connections.connect();
      const redis = connections.shared('commands');
      const key = connections.keys.key('probe');
      await redis.set(key, 'through-sentinel');
      expect(await redis.get(key)).toBe('through-sentinel');
      expect((await redis.info('server')).includes(`tcp_port:${master.port}`)).toBe(true);
      expect((await connections.ping()).status).toBe('up');
      expect(await registry.metrics()).toMatch(/redis_server_up\{node="sentinel:rnh-master"\} 1/);
    } finally {
      await connections.close();
    }
  });

  it('passes the doctor', async () => {
    const report = await runRedisDoctor(options(), { production: false });
    expect(report.ok).toBe(true);
    expect(report.server?.role).toBe('master');
  });
});
