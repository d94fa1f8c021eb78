// What a failover looks like from a client that keeps writing through it: a write loop, the
// per-second report the failover tests print, and the check that acknowledged writes survived.
import { waitFor } from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { classifyRedisError } from '../src/connection/error-type.js';
import type { RedisClient } from '../src/types.js';

/** What one acknowledged write reports: how many replicas confirmed it (WAIT) and which node took it. */
export interface Acknowledgement {
  replicas: number;
  /** `host:port` of the master that took the write, as the client saw it. */
  node: string;
}

export interface WriteRecord {
  id: number;
  key: string;
  /** When the write settled (ms since the epoch). */
  at: number;
  ok: boolean;
  replicas: number;
  node: string | undefined;
  errorType: string | undefined;
}

/** Pace of each writer: a few hundred writes a second in all, enough to see every second of the failover. */
const PAUSE_AFTER_WRITE_MS = 5;
/** A failed write is followed by a short pause, so a client that fails fast does not spin the CPU. */
const PAUSE_AFTER_FAILURE_MS = 50;

/**
 * `writers` loops that each write the next id and wait for its acknowledgement, until `stop()`.
 * Every write is recorded with its outcome; nothing is retried by the loop (the client may retry).
 */
export class WriteLoop {
  readonly records: WriteRecord[] = [];
  private nextId = 0;
  private running = true;
  private readonly loops: Array<Promise<void>>;

  constructor(
    private readonly keyOf: (id: number) => string,
    private readonly write: (key: string, id: number) => Promise<Acknowledgement>,
    writers = 2,
  ) {
    this.loops = Array.from({ length: writers }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Waits until `count` writes acknowledged by `node` (any node when omitted) settled after `since`. */
  async acknowledged(
    count: number,
    { node, since = 0 }: { node?: string; since?: number } = {},
  ): Promise<void> {
    await waitFor(
      () =>
        this.records.filter((record) => record.ok && record.at > since && (!node || record.node === node))
          .length >= count,
      { timeoutMs: 60_000, intervalMs: 50, what: `${count} acknowledged writes${node ? ` on ${node}` : ''}` },
    );
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const id = this.nextId++;
      const key = this.keyOf(id);
      try {
        const { replicas, node } = await this.write(key, id);
        this.records.push({ id, key, at: Date.now(), ok: true, replicas, node, errorType: undefined });
        await pause(PAUSE_AFTER_WRITE_MS);
      } catch (error) {
        this.records.push({
          id,
          key,
          at: Date.now(),
          ok: false,
          replicas: 0,
          node: undefined,
          errorType: errorName(error),
        });
        await pause(PAUSE_AFTER_FAILURE_MS);
      }
    }
  }
}

/** The writes among `records` whose value cannot be read back (GET gives another value or none). */
export async function unreadable(
  redis: RedisClient,
  records: readonly WriteRecord[],
): Promise<WriteRecord[]> {
  const missing: WriteRecord[] = [];
  for (let start = 0; start < records.length; start += 200) {
    const batch = records.slice(start, start + 200);
    const values = await Promise.all(batch.map((record) => redis.get(record.key)));
    batch.forEach((record, index) => {
      if (values[index] !== String(record.id)) missing.push(record);
    });
  }
  return missing;
}

export interface ReportEvent {
  label: string;
  at: number;
}

/**
 * A text report of a failover as the client saw it: writes acknowledged and failed in each second
 * around the fault, the error types, the error window, and when `newNode` first acknowledged a write.
 */
export function failoverReport(options: {
  title: string;
  records: readonly WriteRecord[];
  /** The fault (a kill, a failover command): time zero of the report. */
  fault: ReportEvent;
  events?: ReportEvent[];
  /** The writes that count as on the new master once the fault happened. */
  onNewMaster: (record: WriteRecord) => boolean;
  extra?: string[];
}): string {
  const { records, fault } = options;
  const seconds = (at: number) => ((at - fault.at) / 1000).toFixed(1);
  const lines = [`${options.title}`, `  time 0 = ${fault.label}`];
  for (const event of options.events ?? []) lines.push(`  +${seconds(event.at)} s: ${event.label}`);

  const buckets = new Map<number, { ok: number; failed: number }>();
  for (const record of records) {
    const second = Math.floor((record.at - fault.at) / 1000);
    const bucket = buckets.get(second) ?? { ok: 0, failed: 0 };
    if (record.ok) bucket.ok += 1;
    else bucket.failed += 1;
    buckets.set(second, bucket);
  }
  lines.push('  second    ok  failed');
  const ordered = [...buckets.keys()].sort((a, b) => a - b);
  for (const second of ordered) {
    const { ok, failed } = buckets.get(second)!;
    lines.push(`  ${String(second).padStart(6)} ${String(ok).padStart(5)} ${String(failed).padStart(7)}`);
  }

  const failures = records.filter((record) => !record.ok && record.at >= fault.at);
  const byType = new Map<string, number>();
  for (const failure of failures) byType.set(failure.errorType!, (byType.get(failure.errorType!) ?? 0) + 1);
  lines.push(
    `  writes: ${records.filter((record) => record.ok).length} acknowledged, ` +
      `${records.filter((record) => !record.ok).length} failed` +
      (byType.size > 0 ? ` (${[...byType].map(([type, count]) => `${type} ${count}`).join(', ')})` : ''),
  );
  if (failures.length > 0) {
    const first = failures[0]!.at;
    const last = failures.at(-1)!.at;
    lines.push(
      `  error window: +${seconds(first)} s to +${seconds(last)} s (${((last - first) / 1000).toFixed(1)} s)`,
    );
  } else {
    lines.push('  error window: none (no write failed)');
  }
  const firstOnNew = records.find(
    (record) => record.ok && record.at >= fault.at && options.onNewMaster(record),
  );
  lines.push(
    firstOnNew
      ? `  first write acknowledged by the new master: +${seconds(firstOnNew.at)} s (${firstOnNew.node})`
      : '  no write acknowledged by the new master',
  );
  lines.push(...(options.extra ?? []).map((line) => `  ${line}`));
  return lines.join('\n');
}

function errorName(error: unknown): string {
  const type = classifyRedisError(error);
  if (type !== 'other' && type !== 'connection') return type;
  return error instanceof Error ? `${type}:${error.name}` : type;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Asks a node its ROLE every 100 ms, to tell when a master was demoted. `lastAsMaster()` is when
 * the last question that was answered `master` was sent: the node was still a master then.
 * `demoted()` is when the first `slave` answer came (a little late, never early).
 */
export function watchRole(node: { host: string; port: number }): {
  lastAsMaster(): number | undefined;
  demoted(): number | undefined;
  stop(): void;
} {
  const client = new Redis({
    host: node.host,
    port: node.port,
    lazyConnect: true,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  client.connect().catch(() => undefined);
  let lastAsMaster: number | undefined;
  let demoted: number | undefined;
  const timer = setInterval(() => {
    const sentAt = Date.now();
    client
      .role()
      .then((role) => {
        if (role[0] === 'master') lastAsMaster = Math.max(lastAsMaster ?? 0, sentAt);
        else demoted ??= Date.now();
      })
      .catch(() => undefined);
  }, 100);
  return {
    lastAsMaster: () => lastAsMaster,
    demoted: () => demoted,
    stop() {
      clearInterval(timer);
      client.disconnect();
    },
  };
}
