import { startRedisServer, type RedisServerHandle } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConnections } from '../src/connection/connections.js';
import { ScriptRegistry } from '../src/scripts/registry.js';
import { memoryLogger, operationCount, optionsFor, parseCommandStats } from './helpers.js';

let server: RedisServerHandle;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis({ host: server.host, port: server.port });
});
afterAll(async () => {
  await admin?.quit();
  await server?.destroy();
});

async function calls(): Promise<Record<string, number>> {
  return parseCommandStats(await admin.info('commandstats'));
}

describe('Lua scripts', () => {
  it('fall back to EVAL after SCRIPT FLUSH, then run by EVALSHA again without resending the body', async () => {
    const registry = new Registry();
    const connections = new RedisConnections({
      options: optionsFor(server),
      logger: memoryLogger().logger,
      registry,
    });
    const scripts = new ScriptRegistry();
    const incrBy = scripts.define({
      name: 'incrBy',
      lua: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
      keys: 1,
    });
    try {
      await connections.connect();
      const redis = connections.shared('commands');
      const key = connections.keys.key('counter');

      await admin.script('FLUSH');
      await admin.config('RESETSTAT');
      expect(await incrBy.run(redis, [key], [5])).toBe(5);
      expect((await calls()).eval).toBe(1);
      expect(await operationCount(registry, 'commands', 'evalsha', 'NOSCRIPT')).toBe(1);

      expect(await incrBy.run(redis, [key], [2])).toBe(7);
      expect(await incrBy.run(redis, [key], [1])).toBe(8);
      const after = await calls();
      expect(after.eval).toBe(1); // cached by the first EVAL: not sent again
      expect(after.evalsha).toBeGreaterThanOrEqual(2);
      expect(await operationCount(registry, 'commands', 'evalsha')).toBe(2);
    } finally {
      await connections.close();
    }
  });

  it('loadAll preloads every script and script errors reach the caller', async () => {
    const connections = new RedisConnections({ options: optionsFor(server), logger: memoryLogger().logger });
    const scripts = new ScriptRegistry();
    const one = scripts.define({ name: 'one', lua: 'return 1', keys: 0 });
    const boom = scripts.define({ name: 'boom', lua: "return redis.error_reply('BOOM bad input')", keys: 0 });
    try {
      const redis = connections.shared('commands');
      await admin.script('FLUSH');
      await scripts.loadAll(redis);
      expect(await admin.script('EXISTS', one.sha, boom.sha)).toEqual([1, 1]);
      await admin.config('RESETSTAT');
      expect(await one.run(redis, [], [])).toBe(1);
      await expect(boom.run(redis, [], [])).rejects.toThrow('BOOM bad input');
      expect((await calls()).eval).toBeUndefined();
    } finally {
      await connections.close();
    }
  });
});
