import type { RedisClient } from '@rnh/redis-client';
import type { Redis } from 'ioredis';
import { withTimeout } from './operation.js';

export function isCluster(client: RedisClient): boolean {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/** The nodes that hold keys: every master of a cluster, else the client itself. */
export function scanTargets(client: RedisClient): Redis[] {
  if (!isCluster(client)) return [client as Redis];
  const masters = (client as { nodes(role: 'master'): Redis[] }).nodes('master');
  // Before the cluster client has loaded the slot map it knows no masters: scanning nothing would
  // report an empty store (or a clear() that cleared nothing) as success.
  if (masters.length === 0) throw new Error('cluster client knows no masters yet (not connected)');
  return masters;
}

export interface ScanOptions {
  /** SCAN COUNT hint per call (default 500). */
  count?: number;
  /** Per-call timeout (0 = none). */
  timeoutMs: number;
  operation: string;
}

/**
 * Yields batches of keys matching `pattern` from every master (SCAN, never KEYS).
 * A key can come twice when the server rehashes during the scan; callers dedupe when it matters.
 */
export async function* scanBatches(
  client: RedisClient,
  pattern: string,
  options: ScanOptions,
): AsyncGenerator<string[]> {
  const count = options.count ?? 500;
  for (const node of scanTargets(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await withTimeout(
        node.scan(cursor, 'MATCH', pattern, 'COUNT', count),
        options.timeoutMs,
        options.operation,
      );
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/**
 * UNLINKs keys found by one SCAN batch. On a cluster the keys of one batch can
 * sit in different slots, so each key is its own UNLINK (auto-pipelined per node).
 */
export async function unlinkKeys(
  client: RedisClient,
  keys: string[],
  timeoutMs: number,
  operation: string,
): Promise<number> {
  if (keys.length === 0) return 0;
  if (!isCluster(client)) return withTimeout(client.unlink(...keys), timeoutMs, operation);
  const counts = await withTimeout(Promise.all(keys.map((key) => client.unlink(key))), timeoutMs, operation);
  return counts.reduce((sum, n) => sum + n, 0);
}
