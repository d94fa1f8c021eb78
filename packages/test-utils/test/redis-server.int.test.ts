import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix, type RedisServerHandle } from '../src/index.js';

describe('startRedisServer', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer({ password: 'pw' });
  });
  afterAll(() => server.destroy());

  it('runs a real redis-server on its own port that keeps data across commands', async () => {
    expect(server.port).not.toBe(6379);
    const client = new Redis({ port: server.port, password: 'pw', lazyConnect: true });
    await client.connect();
    const key = `${uniquePrefix('utils')}k`;
    await client.set(key, 'v');
    expect(await client.get(key)).toBe('v');
    const info = await client.info('server');
    expect(info).toContain(`tcp_port:${server.port}`);
    client.disconnect();
  });

  it('restarts on the same port', async () => {
    await server.restart();
    const client = new Redis({ port: server.port, password: 'pw', lazyConnect: true });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });

  it('freezes: a command sent while frozen is answered only after thaw()', async () => {
    const client = new Redis({ port: server.port, password: 'pw', lazyConnect: true });
    await client.connect();
    server.freeze();
    let answered = false;
    const ping = client.ping().then((reply) => {
      answered = true;
      return reply;
    });
    try {
      // A frozen process answers nothing, however long the wait: this one is 300 ms.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false);
    } finally {
      server.thaw();
    }
    expect(await ping).toBe('PONG');
    client.disconnect();
  });

  it('gives prefixes that differ per call', () => {
    expect(uniquePrefix('a')).not.toBe(uniquePrefix('a'));
  });
});

describe('startRedisServer with extra arguments', () => {
  it('passes them to redis-server as config', async () => {
    const server = await startRedisServer({
      args: ['--maxmemory', '10mb', '--maxmemory-policy', 'noeviction'],
    });
    try {
      const client = new Redis({ port: server.port, lazyConnect: true });
      await client.connect();
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await client.config('GET', 'maxmemory')).toEqual(['maxmemory', String(10 * 1024 * 1024)]);
      client.disconnect();
    } finally {
      await server.destroy();
    }
  });
});

describe('restart with overridden settings', () => {
  it('overrides settings for one start, as on the command line; the next restart reads the config file', async () => {
    const server = await startRedisServer({ appendOnly: true });
    const appendOnly = async () => {
      const client = new Redis({ port: server.port, lazyConnect: true });
      await client.connect();
      try {
        return ((await client.config('GET', 'appendonly')) as string[])[1];
      } finally {
        client.disconnect();
      }
    };
    try {
      expect(await appendOnly()).toBe('yes');
      await server.restart({ args: ['--appendonly', 'no'] });
      expect(await appendOnly()).toBe('no');
      await server.restart();
      expect(await appendOnly()).toBe('yes');
    } finally {
      await server.destroy();
    }
  });
});
