import { closeHandler } from 'ioredis/built/redis/event_handler.js';
import type { RedisClient } from '../types.js';
import { isCluster } from './client-info.js';

// Concurrent closes of one client share a promise; a WeakMap keeps no client alive.
const closing = new WeakMap<RedisClient, Promise<void>>();

/**
 * Graceful close: QUIT (lets replies in flight arrive) with a deadline, then a
 * hard disconnect. Idempotent, and never throws: shutdown paths must go on.
 */
export function closeRedis(client: RedisClient, timeoutMs = 2000): Promise<void> {
  const existing = closing.get(client);
  if (existing) return existing;
  const done = closeOnce(client, timeoutMs);
  closing.set(client, done);
  return done;
}

async function closeOnce(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    // QUIT only makes sense on a live connection; otherwise it would sit in the offline queue.
    if (client.status === 'ready') {
      const outcome = await Promise.race([
        client.quit().then(
          () => 'quit' as const,
          () => 'failed' as const,
        ),
        deadline,
      ]);
      if (outcome !== 'quit') hardDisconnect(client);
    } else {
      hardDisconnect(client);
    }
    await Promise.race([ended, deadline]);
  } catch {
    // Best effort: a close must not throw.
  } finally {
    clearTimeout(timer);
    // The status may have changed during the awaits above.
    if ((client.status as string) !== 'end') hardDisconnect(client);
  }
}

/**
 * ioredis 5 quirk (redis/ioredis#1830, #1247): disconnect() while waiting to
 * reconnect has no socket (or, for a cluster, no node) left to emit 'close', so
 * the status stays `reconnecting` / `disconnecting` and 'end' never fires. We
 * then run ioredis' own close handling, which (manuallyClosing being set)
 * moves the client to `end` and flushes its queues, as disconnect() already
 * does for a client that never connected.
 */
function hardDisconnect(client: RedisClient): void {
  for (const connection of isCluster(client) ? client.nodes('all') : [client]) markAbandoned(connection);
  client.disconnect();
  if (!isCluster(client)) {
    if (client.status === 'reconnecting') closeHandler(client)();
    return;
  }
  if ((client.status as string) === 'disconnecting' && client.nodes('all').length === 0) {
    const internals = client as unknown as { setStatus(status: string): void; handleCloseEvent(): void };
    internals.setStatus('close');
    internals.handleCloseEvent();
  }
}

interface QueuedCommand {
  command?: { promise?: Promise<unknown> };
}
interface CommandQueues {
  commandQueue?: { toArray?(): QueuedCommand[] };
  offlineQueue?: { toArray?(): QueuedCommand[] };
}

/**
 * The commands still waiting on a connection closed now fail ("Connection is closed"). Some are
 * ioredis's own, which nobody awaits: after a reconnect it subscribes again without handling the
 * outcome, and a close before Redis answered would be an unhandled rejection in the app. A caller
 * that awaits a command still gets its error; this only marks the failure as expected.
 */
function markAbandoned(connection: unknown): void {
  const queues = connection as CommandQueues;
  for (const queue of [queues.commandQueue, queues.offlineQueue])
    for (const item of queue?.toArray?.() ?? []) item.command?.promise?.catch(() => undefined);
}
