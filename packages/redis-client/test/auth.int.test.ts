import { startRedisServer, type RedisServerHandle } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectRedis } from '../src/connection/connect.js';
import { closeRedis } from '../src/connection/close.js';
import { RedisConnections } from '../src/connection/connections.js';
import { createRedis } from '../src/connection/create-redis.js';
import { RedisAuthError, RedisClientError, RedisConnectionError } from '../src/errors.js';
import { memoryLogger, optionsFor } from './helpers.js';

let server: RedisServerHandle;

beforeAll(async () => {
  server = await startRedisServer({ password: 'default-pw', aclUsers: ['user app on >s3cret ~* &* +@all'] });
});
afterAll(async () => {
  await server?.destroy();
});

describe('authentication', () => {
  it('connects as an ACL user with username and password', async () => {
    const connections = new RedisConnections({
      options: optionsFor(server, { username: 'app', password: 's3cret' }),
      logger: memoryLogger().logger,
    });
    try {
      await connections.connect();
      expect(await connections.shared('commands').call('ACL', 'WHOAMI')).toBe('app');
    } finally {
      await connections.close();
    }
  });

  it('reports a wrong password as a clear RedisAuthError, logged without the password', async () => {
    const consoleError = vi.spyOn(console, 'error');
    const log = memoryLogger();
    const connections = new RedisConnections({
      options: optionsFor(server, { username: 'app', password: 'wrong-pass' }),
      logger: log.logger,
    });
    try {
      const error = await connections.connect().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(RedisAuthError);
      expect(error).toBeInstanceOf(RedisClientError);
      expect(error).toMatchObject({ code: 'REDIS_AUTH_FAILED' });
      expect((error as Error).message).toMatch(/authentication failed for user "app"/);
      expect((error as Error).cause).toMatchObject({
        name: 'ReplyError',
        message: expect.stringMatching(/^WRONGPASS/),
      });

      expect(await connections.ping(500)).toMatchObject({ status: 'down' });
      // Every client has an 'error' listener, so ioredis never reports an unhandled error event.
      expect(consoleError).not.toHaveBeenCalled();
      expect(
        log
          .lines()
          .some((line) => line.msg === 'redis error' && line.pool === 'commands' && line.role === 'commands'),
      ).toBe(true);
      expect(log.text()).not.toContain('wrong-pass');
      expect(JSON.stringify((error as Error).cause)).not.toContain('wrong-pass');
    } finally {
      consoleError.mockRestore();
      await connections.close();
    }
  });

  it('reports a missing password (NOAUTH) as an authentication error', async () => {
    const client = createRedis(optionsFor(server), 'commands');
    try {
      await expect(connectRedis(client, { timeoutMs: 2000 })).rejects.toThrow(
        /authentication failed .*requires a password/,
      );
    } finally {
      await closeRedis(client);
    }
  });

  it('reports a refused connection with the target and the reason', async () => {
    const client = createRedis(optionsFor({ host: '127.0.0.1', port: 1 }), 'commands');
    try {
      const error = await connectRedis(client, { timeoutMs: 2000 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RedisConnectionError);
      expect((error as Error).message).toBe(
        'Could not connect to Redis at 127.0.0.1:1: connection refused (is Redis running and listening there?)',
      );
    } finally {
      await closeRedis(client);
    }
  });
});
