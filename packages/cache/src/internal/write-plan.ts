import type { SetOptions } from '../types.js';
import { checkGrace } from './checks.js';
import type { Settings } from './core.js';
import { checkJitter, entryTtlMs, resolveTtlSeconds } from './ttl.js';

/** How long one write keeps its entry in Redis. */
export interface WritePlan {
  graceMs: number;
  /** Redis TTL of the entry: fresh TTL plus grace. */
  lifetimeMs: number;
}

/** The plan of one write: the TTL from the options or the defaults (with jitter), plus the grace period. */
export function planWrite(settings: Settings, options: SetOptions): WritePlan {
  const ttlMs = entryTtlMs(options, {
    ttl: settings.defaultTtl,
    jitter: settings.jitter,
    presets: settings.presets,
  });
  const graceMs =
    options.graceSeconds === undefined
      ? settings.graceMs
      : Math.round(checkGrace(options.graceSeconds) * 1000);
  return { graceMs, lifetimeMs: ttlMs + graceMs };
}

/**
 * Throws what planWrite would throw for these options, without planning (no
 * jitter drawn): getOrSet checks its arguments at once and plans only when it writes.
 */
export function checkWriteOptions(settings: Settings, options: SetOptions): void {
  if (options.ttlSeconds !== undefined || options.ttl !== undefined)
    resolveTtlSeconds(options.ttlSeconds ?? options.ttl!, settings.presets);
  if (options.jitter !== undefined) checkJitter(options.jitter);
  if (options.graceSeconds !== undefined) checkGrace(options.graceSeconds);
}

/** How long an entry written with `plan` is fresh. */
export function freshMsOf(plan: WritePlan): number {
  return plan.lifetimeMs - plan.graceMs;
}
