// The worker's maintenance queue against the real worker process: an index entry of a session
// that ended without a logout (its key expired) is pruned by a prune job.
import { keyspaces, maintenanceQueue } from '@rnh/jobs';
import { QueueProducer } from '@rnh/queue';
import type { RedisConnections } from '@rnh/redis-client';
import { RedisSessionStore, SessionIndex } from '@rnh/sessions';
import { testConnections } from '@rnh/test-connections';
import {
  memoryLogger,
  startRedisServer,
  uniquePrefix,
  waitFor,
  type AppProcess,
  type RedisServerHandle,
} from '@rnh/test-utils';
import type { SessionData } from 'express-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerProcess } from './support/worker-process.js';

describe('maintenance jobs', () => {
  let redis: RedisServerHandle;
  let worker: AppProcess;
  let connections: RedisConnections;
  const prefix = uniquePrefix('maintenance');

  beforeAll(async () => {
    redis = await startRedisServer();
    worker = await startWorkerProcess(redis, prefix);
    connections = testConnections(redis, { keyPrefix: prefix });
  });
  afterAll(async () => {
    await worker?.stop();
    await connections?.close();
    await redis?.destroy();
  });

  // The test's margin, not production's 1 s: the set-up writes must not time out on a busy machine.
  const TEST_OPERATION_TIMEOUT_MS = 10_000;

  it('prune_session_index removes entries of sessions that are gone and keeps live ones', async () => {
    const logger = memoryLogger().logger;
    const commands = connections.shared('commands');
    const sessionKeys = connections.keys.child(keyspaces.sessions);
    const index = new SessionIndex(
      { redis: commands, keys: connections.keys.child(keyspaces.sessionIndex), logger },
      { sessionKeys, operationTimeoutMs: TEST_OPERATION_TIMEOUT_MS },
    );
    const store = new RedisSessionStore(
      { redis: commands, keys: sessionKeys, logger, index },
      { operationTimeoutMs: TEST_OPERATION_TIMEOUT_MS },
    );
    const session = (userId: string) =>
      ({ cookie: { originalMaxAge: 60_000, maxAge: 60_000 }, userId }) as unknown as SessionData;
    await new Promise<void>((resolve, reject) =>
      store.set('live-sid', session('u1'), (e) => (e ? reject(e) : resolve())),
    );
    await new Promise<void>((resolve, reject) =>
      store.set('gone-sid', session('u1'), (e) => (e ? reject(e) : resolve())),
    );
    // The session key expires without a logout: its index entry stays behind.
    await commands.del(sessionKeys.key('{gone-sid}')); // the store's key: `sess:{<sid>}`
    const indexKey = async () => {
      const [, keys] = await commands.scan(
        '0',
        'MATCH',
        `${connections.keys.child(keyspaces.sessionIndex).prefix}*`,
        'COUNT',
        1000,
      );
      return keys.filter((key) => !key.endsWith(':revoked'));
    };
    const [key] = await indexKey();
    expect(await commands.hlen(key!)).toBe(2);

    const producer = new QueueProducer({ redis: connections, logger }, maintenanceQueue);
    await producer.enqueue('prune_session_index', {});
    await waitFor(async () => (await commands.hlen(key!)) === 1, {
      timeoutMs: 15_000,
      what: 'the dead entry pruned',
    });
    expect(await commands.hexists(key!, 'live-sid')).toBe(1);
    await producer.close();

    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(metrics).toMatch(/session_maintenance_pruned_total\{kind="session_index_entry"[^}]*\} 1/);
  });

  it('declares its hourly schedules at start', async () => {
    const commands = connections.shared('commands');
    // BullMQ keeps a queue's job schedulers in the sorted set `<queue prefix>:<queue>:repeat`.
    const schedulers = await commands.zrange(`${prefix}queue:{maintenance}:maintenance:repeat`, 0, -1);
    expect(schedulers.sort()).toEqual(['prune-session-index', 'prune-token-subjects']);
  });
});
