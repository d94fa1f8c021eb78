import { memoryLogger, startRedisServer } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { checkEvictionPolicy } from '../src/index.js';
import { useQueueRedis } from './helpers.js';
import { mailQueue } from './jobs.js';

const redis = useQueueRedis();

const noop = async () => undefined;
const EVICTION_WARNING = /maxmemory-policy is "allkeys-lru", not "noeviction"/;

describe('start-up checks', () => {
  it('warns when Redis may evict queue keys (maxmemory-policy is not noeviction)', async () => {
    const setup = redis.setup();
    await redis.admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    redis.cleanup.push(() =>
      redis.admin.config('SET', 'maxmemory-policy', 'noeviction').then(() => undefined),
    );

    await setup.worker(mailQueue(), { handlers: { welcome: noop, digest: noop, flaky: noop } });

    const warning = setup.log.lines().find((line) => EVICTION_WARNING.test(String(line.msg)));
    expect(warning).toMatchObject({ level: 40, maxmemoryPolicy: 'allkeys-lru' });
  });

  it('says nothing with noeviction', async () => {
    const setup = redis.setup();
    const check = await checkEvictionPolicy(setup.connections.shared('commands'), setup.log.logger);
    expect(check).toMatchObject({ ok: true, nodes: [{ policy: 'noeviction', source: 'config' }] });
    expect(setup.log.lines().filter((line) => Number(line.level) >= 40)).toEqual([]);
  });

  it('reads the policy from INFO where CONFIG is disabled', async () => {
    const server = await startRedisServer({
      args: ['--rename-command', 'CONFIG ""', '--maxmemory-policy', 'allkeys-lru'],
    });
    const client = new Redis({ host: server.host, port: server.port });
    try {
      await expect(client.config('GET', 'maxmemory-policy')).rejects.toThrow(/unknown command/i);
      const log = memoryLogger();

      const check = await checkEvictionPolicy(client, log.logger);

      expect(check).toMatchObject({ ok: false, nodes: [{ policy: 'allkeys-lru', source: 'info' }] });
      expect(log.lines().some((line) => EVICTION_WARNING.test(String(line.msg)))).toBe(true);
    } finally {
      await client.quit();
      await server.destroy();
    }
  });
});
