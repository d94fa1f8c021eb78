// A client for watching the nodes of a test topology, some of which may be down (killed on purpose).
import { Redis } from 'ioredis';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * A connection to one node that never waits: while the node is down a command rejects at once
 * (no offline queue, no retries) and a frozen node times out, so a poll moves on to the next
 * check. It keeps reconnecting in the background, so a restarted node is seen again.
 */
export function nodeInspector(node: HostPort, password?: string): Redis {
  const inspector = new Redis({
    host: node.host,
    port: node.port,
    password,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    enableReadyCheck: false,
    connectTimeout: 3000,
    commandTimeout: 3000,
    retryStrategy: () => 100,
    connectionName: 'rnh:test-inspector',
  });
  // A node that is down makes it fail; the checks that use it fail and are polled again.
  inspector.on('error', () => undefined);
  inspector.connect().catch(() => undefined);
  return inspector;
}

/** One `field:value` line of an INFO reply (or CLUSTER INFO), or undefined. */
export function infoField(info: string, field: string): string | undefined {
  const match = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return match?.[1]?.trim();
}

/** Sentinel replies (`SENTINEL REPLICAS`, `SENTINEL SENTINELS`) as records: `[k, v, k, v]` → `{ k: v }`. */
export function fieldRecords(reply: unknown): Array<Record<string, string>> {
  if (!Array.isArray(reply)) return [];
  return reply.map((entry: unknown) => {
    const fields = Array.isArray(entry) ? (entry as unknown[]).map(String) : [];
    const record: Record<string, string> = {};
    for (let index = 0; index + 1 < fields.length; index += 2) record[fields[index]!] = fields[index + 1]!;
    return record;
  });
}
