import type { Logger, RedisClient, RedisScript, ScriptDefinition } from '@rnh/redis-client';
import type { Redis } from 'ioredis';
import { SessionsArgumentError } from '../errors.js';
import type { PruneKind, SessionMetrics } from '../metrics/session-metrics.js';
import type { PruneOptions, PruneResult } from '../types.js';
import { runOperation, withTimeout, type OperationScope } from './operation.js';
import { scanTargets } from './redis.js';
import { runScript } from './scripts.js';

// Shared machinery of the maintenance `prune()` methods: a SCAN walk over every
// master that a later run can continue (an opaque cursor), bounded by maxKeys and
// an AbortSignal, and the set-member pruning that OneTimeTokens and RefreshTokens
// share. Each prune decides per entry whether it is dead; everything it removes is
// inside its own keyspace (SCAN MATCH on the keyspace's escaped prefix).

const DEFAULT_BATCH_SIZE = 100;
const MAX_BATCH_SIZE = 10_000;

export interface PruneSettings {
  batchSize: number;
  maxKeys: number;
  cursor: string | undefined;
  signal: AbortSignal | undefined;
}

/** Validated options (SessionsArgumentError without echoing values that are not numbers). */
function pruneSettings(options: PruneOptions = {}): PruneSettings {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE)
    throw new SessionsArgumentError(
      `batchSize must be an integer from 1 to ${MAX_BATCH_SIZE} (got ${String(options.batchSize)})`,
    );
  const maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
  if (!(maxKeys === Number.POSITIVE_INFINITY || (Number.isInteger(maxKeys) && maxKeys >= 1)))
    throw new SessionsArgumentError(`maxKeys must be a positive integer (got ${String(options.maxKeys)})`);
  if (options.cursor !== undefined && parseCursor(options.cursor) === undefined)
    throw new SessionsArgumentError('cursor must be the cursor returned by a previous prune() run');
  return { batchSize, maxKeys, cursor: options.cursor, signal: options.signal };
}

type PruneOutcome = 'complete' | 'max_keys' | 'aborted';

/** Running totals of one prune run; `report` puts them on the run's span (counts only). */
class PruneTally {
  scannedKeys = 0;
  prunedEntries = 0;
  removedKeys = 0;

  constructor(private readonly scope: OperationScope) {}

  report(): void {
    this.scope.set({
      'rnh.prune.scanned_keys': this.scannedKeys,
      'rnh.prune.pruned': this.prunedEntries,
      'rnh.prune.removed_keys': this.removedKeys,
    });
  }

  finish(cursor: string | null, outcome: PruneOutcome): PruneResult {
    this.report();
    this.scope.set({ 'rnh.prune.complete': cursor === null });
    this.scope.outcome(outcome);
    return {
      scannedKeys: this.scannedKeys,
      prunedEntries: this.prunedEntries,
      removedKeys: this.removedKeys,
      cursor,
    };
  }
}

interface WalkOptions {
  /** SCAN MATCH pattern (from Keyspace.pattern: the prefix is escaped). */
  pattern: string;
  /** SCAN TYPE: keys of another type in the keyspace are not even returned. */
  type: 'hash' | 'set';
  settings: PruneSettings;
  /** Per Redis call. */
  timeoutMs: number;
  operation: string;
}

/**
 * Walks the keys matching `pattern` with SCAN on every master (in a stable
 * order, by address), calling `onBatch` for each batch. Stops before the next
 * SCAN call when `maxKeys` keys were examined or the signal is aborted, and
 * returns the cursor to continue from (null when every master was walked to
 * its end). A cursor naming a node that is no longer a master restarts the pass.
 */
async function walkKeys(
  client: RedisClient,
  options: WalkOptions,
  tally: PruneTally,
  onBatch: (keys: string[]) => Promise<void>,
): Promise<{ cursor: string | null; outcome: PruneOutcome }> {
  const { settings } = options;
  const nodes = [...scanTargets(client)].sort((a, b) => compare(nodeId(a), nodeId(b)));
  let start = 0;
  let startCursor = '0';
  const resume = settings.cursor === undefined ? undefined : parseCursor(settings.cursor);
  if (resume) {
    const index = nodes.length === 1 ? 0 : nodes.findIndex((node) => nodeId(node) === resume.node);
    if (index >= 0) {
      start = index;
      startCursor = resume.cursor;
    }
  }
  let examined = 0;
  for (let index = start; index < nodes.length; index += 1) {
    const node = nodes[index] as Redis;
    let cursor = index === start ? startCursor : '0';
    do {
      if (settings.signal?.aborted) return { cursor: formatCursor(node, cursor), outcome: 'aborted' };
      if (examined >= settings.maxKeys) return { cursor: formatCursor(node, cursor), outcome: 'max_keys' };
      const [next, keys] = await withTimeout(
        node.scan(cursor, 'MATCH', options.pattern, 'COUNT', settings.batchSize, 'TYPE', options.type),
        options.timeoutMs,
        options.operation,
      );
      cursor = next;
      examined += keys.length;
      tally.scannedKeys += keys.length;
      if (keys.length > 0) await onBatch(keys);
      tally.report();
    } while (cursor !== '0');
  }
  return { cursor: null, outcome: 'complete' };
}

// Cursor text: `<SCAN cursor>@<host:port of the master>`. Names a node, never a key.
function formatCursor(node: Redis, cursor: string): string {
  return `${cursor}@${nodeId(node)}`;
}

function parseCursor(text: string): { cursor: string; node: string } | undefined {
  const match = typeof text === 'string' ? /^(\d{1,20})@(.{0,300})$/s.exec(text) : null;
  return match ? { cursor: match[1] as string, node: match[2] as string } : undefined;
}

function nodeId(node: Redis): string {
  const { host, port } = node.options;
  return `${host ?? ''}:${port ?? ''}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Removes the given members of a set and reports what is left, in one step on
 * the set's slot (so two concurrent runs never both count the same member or
 * the same emptied set). KEYS: set. ARGV: members. Returns {removed, remaining}.
 */
export const PRUNE_SET_MEMBERS: ScriptDefinition = {
  name: 'rnh:sessions:prune-set-members',
  keys: 1,
  lua: `
local n = 0
for i = 1, #ARGV do n = n + redis.call('SREM', KEYS[1], ARGV[i]) end
return {n, redis.call('SCARD', KEYS[1])}
`,
};

export interface SetPruneContext {
  redis: RedisClient;
  script: RedisScript;
  batchSize: number;
  timeoutMs: number;
  operation: string;
}

/**
 * Walks one set with SSCAN and removes the members `isLive` says are dead
 * (PRUNE_SET_MEMBERS). Returns how many members this call removed and whether
 * it emptied the set (Redis then deletes it).
 */
export async function pruneSetMembers(
  context: SetPruneContext,
  key: string,
  isLive: (members: string[]) => Promise<boolean[]>,
): Promise<{ pruned: number; removedKey: boolean }> {
  const timed = <T>(promise: Promise<T>) => withTimeout(promise, context.timeoutMs, context.operation);
  let cursor = '0';
  let pruned = 0;
  let removedKey = false;
  do {
    const [next, members] = await timed(context.redis.sscan(key, cursor, 'COUNT', context.batchSize));
    cursor = next;
    if (members.length === 0) continue;
    const live = await timed(isLive(members));
    const dead = members.filter((_member, index) => live[index] !== true);
    if (dead.length === 0) continue;
    const [removed, remaining] = (await timed(runScript(context.script, context.redis, [key], dead))) as [
      number,
      number,
    ];
    pruned += removed;
    if (removed > 0 && remaining === 0) removedKey = true;
  } while (cursor !== '0');
  return { pruned, removedKey };
}

/**
 * Prunes every key of one SCAN batch concurrently and adds what was removed to
 * the tally and to `counted` (the metric), including the keys that finished
 * before another one failed; then rethrows the first failure.
 */
async function pruneBatch(
  keys: string[],
  tally: PruneTally,
  work: (key: string) => Promise<{ pruned: number; removedKey: boolean }>,
  counted: (pruned: number) => void,
): Promise<void> {
  const results = await Promise.allSettled(keys.map(work));
  let pruned = 0;
  for (const result of results) {
    if (result.status !== 'fulfilled') continue;
    pruned += result.value.pruned;
    if (result.value.removedKey) tally.removedKeys += 1;
  }
  tally.prunedEntries += pruned;
  counted(pruned);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

export interface PruneRun {
  /** Span and log operation name, e.g. `sessions.prune`. */
  operation: string;
  redis: RedisClient;
  logger: Logger;
  metrics: SessionMetrics | undefined;
  kind: PruneKind;
  /** SCAN MATCH pattern and TYPE of the keys to visit. */
  pattern: string;
  type: 'hash' | 'set';
  /** Per Redis call (0: none). */
  timeoutMs: number;
  /** Prunes one key found by the walk. */
  pruneKey: (key: string, settings: PruneSettings) => Promise<{ pruned: number; removedKey: boolean }>;
}

/**
 * One prune run in its own span: validates the options, walks the keys, prunes
 * each batch, counts `session_maintenance_pruned_total{kind}` as it goes and
 * logs the totals (counts only). Redis failures reject with
 * SessionStoreUnavailableError, as every operation of the package does.
 */
export function runPrune(run: PruneRun, options: PruneOptions | undefined): Promise<PruneResult> {
  // No whole-run timeout: each Redis call is timed instead.
  return runOperation({ logger: run.logger, timeoutMs: 0 }, run.operation, {}, async (scope) => {
    const settings = pruneSettings(options);
    const tally = new PruneTally(scope);
    const { cursor, outcome } = await walkKeys(
      run.redis,
      {
        pattern: run.pattern,
        type: run.type,
        settings,
        timeoutMs: run.timeoutMs,
        operation: run.operation,
      },
      tally,
      (keys) =>
        pruneBatch(
          keys,
          tally,
          (key) => run.pruneKey(key, settings),
          (pruned) => run.metrics?.pruned(run.kind, pruned),
        ),
    );
    run.logger.debug(
      {
        operation: run.operation,
        outcome,
        scannedKeys: tally.scannedKeys,
        prunedEntries: tally.prunedEntries,
        removedKeys: tally.removedKeys,
      },
      'prune run finished',
    );
    return tally.finish(cursor, outcome);
  });
}
