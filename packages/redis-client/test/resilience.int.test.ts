import { startRedisServer, waitFor, type RedisServerHandle } from '@rnh/test-utils';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConnections } from '../src/connection/connections.js';
import { memoryLogger, metricValue, optionsFor } from './helpers.js';

let server: RedisServerHandle;

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.destroy();
});

describe('when Redis goes away and comes back', () => {
  it('producer fails fast while down; commands reconnect afterwards and the metrics show it', async () => {
    const registry = new Registry();
    const log = memoryLogger();
    const connections = new RedisConnections({ options: optionsFor(server), logger: log.logger, registry });
    try {
      const commands = connections.shared('commands');
      const producer = connections.shared('producer');
      await connections.connect();
      await producer.ping();
      const key = connections.keys.key('survivor');
      await commands.set(key, 'before');
      const reconnectsBefore =
        (await metricValue(registry, 'redis_client_reconnects_total', { pool: 'commands' })) ?? 0;

      await server.stop();
      await waitFor(() => commands.status !== 'ready' && producer.status !== 'ready', {
        timeoutMs: 5000,
        what: 'clients to notice the stop',
      });
      expect(connections.isReady()).toBe(false);

      // No offline queue for the producer: it rejects now instead of waiting for Redis.
      await expect(producer.set(connections.keys.key('job'), 'x')).rejects.toThrow(
        /enableOfflineQueue|Connection is closed/,
      );
      expect(await connections.ping(200)).toMatchObject({ status: 'down', latencyMs: null });
      expect(
        await metricValue(registry, 'redis_client_connection_state', { pool: 'commands', state: 'ready' }),
      ).toBe(0);
      expect(await metricValue(registry, 'redis_server_up', {})).toBe(0);

      await server.restart();
      await waitFor(() => connections.isReady(), {
        timeoutMs: 10_000,
        what: 'commands connection to be ready again',
      });

      expect(await commands.get(key)).toBeNull(); // a fresh server without persistence
      await commands.set(key, 'after');
      expect(await commands.get(key)).toBe('after');
      await waitFor(() => producer.status === 'ready', { timeoutMs: 10_000, what: 'producer to reconnect' });
      await expect(producer.set(connections.keys.key('job'), 'x')).resolves.toBe('OK');

      const reconnectsAfter =
        (await metricValue(registry, 'redis_client_reconnects_total', { pool: 'commands' })) ?? 0;
      expect(reconnectsAfter).toBeGreaterThan(reconnectsBefore);
      expect(
        await metricValue(registry, 'redis_client_connection_state', { pool: 'commands', state: 'ready' }),
      ).toBe(1);
      expect(
        await metricValue(registry, 'redis_client_connection_state', {
          pool: 'commands',
          state: 'reconnecting',
        }),
      ).toBe(0);
      expect(
        await metricValue(registry, 'redis_client_errors_total', {
          pool: 'commands',
          error_type: 'connection',
        }),
      ).toBeGreaterThan(0);
      expect(
        log.lines().some((line) => line.msg === 'redis reconnecting' && typeof line.delayMs === 'number'),
      ).toBe(true);
    } finally {
      await connections.close();
    }
  });
});
