import { performance } from 'node:perf_hooks';
import type { Command } from 'ioredis';
import { classifyRedisError } from '../connection/error-type.js';
import type { RedisClient } from '../types.js';
import type { RedisClientMetrics } from './client-metrics.js';
import type { HistogramSeries } from './series.js';
import { activeSpanExemplar } from './exemplar.js';

type SendCommand = (command: Command, stream?: unknown, node?: unknown) => unknown;

// One wrapper per client even if it is borrowed by several registries.
const INSTRUMENTED = Symbol.for('@rnh/redis-client/instrumented');
// Set on a Command once it is being timed: a Cluster resends the same Command after MOVED/ASK.
const TIMED = Symbol('@rnh/redis-client/timed');

/**
 * Counts reconnects and errors, and times every command by wrapping the
 * client's `sendCommand`. In ioredis 5 every command reaches it: direct calls,
 * `pipeline()`/`multi()` (Pipeline#exec calls `redis.sendCommand` per command)
 * and auto-pipelined ones (they are queued on an internal pipeline). On a
 * Cluster, `Cluster#sendCommand` sees each command once before routing it to a
 * node client; retries after MOVED/ASK or a reconnect re-enter sendCommand with
 * the same Command object, so each Command is timed once, from its first send
 * until its promise settles (time in the offline queue included).
 * Returns a function that removes the instrumentation.
 */
export function instrumentClient(client: RedisClient, pool: string, metrics: RedisClientMetrics): () => void {
  const onReconnecting = (): void => metrics.reconnects.inc({ pool });
  const onError = (error: unknown): void =>
    metrics.errors.inc({ pool, error_type: classifyRedisError(error) });
  client.on('reconnecting', onReconnecting);
  client.on('error', onError);
  client.on('node error', onError);
  const unwrap = wrapSendCommand(client, pool, metrics);
  return () => {
    client.off('reconnecting', onReconnecting);
    client.off('error', onError);
    client.off('node error', onError);
    unwrap();
  };
}

function wrapSendCommand(client: RedisClient, pool: string, metrics: RedisClientMetrics): () => void {
  const target = client as unknown as { sendCommand: SendCommand; [INSTRUMENTED]?: boolean };
  if (target[INSTRUMENTED]) return () => undefined;
  target[INSTRUMENTED] = true;

  // Command names from ioredis' own list; anything else (e.g. `call('MODULE.CMD')`) is `other`, to bound the label.
  const known = new Set(client.getBuiltinCommands());
  // The success series per command name as ioredis spells it (bounded like `known`, plus `other`).
  const succeeded = new Map<string, HistogramSeries>();
  const labelOf = (name: string): string => {
    const lower = name.toLowerCase();
    return known.has(lower) ? lower : 'other';
  };
  const successSeries = (name: string): HistogramSeries => {
    let series = succeeded.get(name);
    if (!series) {
      const label = labelOf(name);
      series = metrics.operationSeries(pool, label, '');
      if (label !== 'other') succeeded.set(name, series);
    }
    return series;
  };
  const original = target.sendCommand;
  const hadOwn = Object.hasOwn(target, 'sendCommand');
  let active = true;

  const wrapped: SendCommand = function (this: unknown, command, stream, node) {
    const marked = command as Command & { [TIMED]?: true };
    if (active && marked[TIMED] !== true && !isBlocking(command)) {
      marked[TIMED] = true;
      const started = performance.now();
      const series = successSeries(command.name);
      const exemplar = activeSpanExemplar();
      command.promise.then(
        () => series.observe((performance.now() - started) / 1000, exemplar),
        (error: unknown) =>
          metrics
            .operationSeries(pool, labelOf(command.name), classifyRedisError(error))
            .observe((performance.now() - started) / 1000, exemplar),
      );
    }
    return original.call(this, command, stream, node);
  };
  target.sendCommand = wrapped;

  return () => {
    active = false;
    // Only undo our own wrapper; if someone wrapped on top of it, `active = false` makes ours a pass-through.
    if (target.sendCommand === wrapped) {
      if (hadOwn) target.sendCommand = original;
      else delete (target as { sendCommand?: SendCommand }).sendCommand;
      delete target[INSTRUMENTED];
    }
  };
}

/**
 * Commands that wait on the server for data to arrive (BullMQ's BZPOPMIN, a stream follower's
 * XREAD BLOCK): their duration is how long nothing came, not Redis's latency, so they are not
 * timed (they would swamp every latency percentile of their app).
 */
const ALWAYS_BLOCKING = new Set([
  'blpop',
  'brpop',
  'brpoplpush',
  'blmove',
  'blmpop',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
  'wait',
  'waitaof',
]);

function isBlocking(command: Command): boolean {
  const name = command.name.toLowerCase();
  if (ALWAYS_BLOCKING.has(name)) return true;
  if (name !== 'xread' && name !== 'xreadgroup') return false;
  return command.args.some((arg) => typeof arg === 'string' && arg.toUpperCase() === 'BLOCK');
}
