import { CacheArgumentError } from '../errors.js';
import type { SetOptions, TtlPreset, Ttl } from '../types.js';

export const DEFAULT_TTL_PRESETS: Readonly<Record<TtlPreset, number>> = {
  short: 300,
  medium: 1800,
  long: 3600,
  day: 86400,
};

export function resolveTtlSeconds(ttl: Ttl, presets: Readonly<Record<TtlPreset, number>>): number {
  const seconds = typeof ttl === 'number' ? ttl : presets[ttl];
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new CacheArgumentError(`ttl must be a positive number of seconds or a preset (got ${String(ttl)})`);
  }
  return seconds;
}

/** TTL in ms for one write: the option (or default), shortened by up to `jitter` (0..1) at random. */
export function entryTtlMs(
  options: SetOptions,
  defaults: { ttl: Ttl; jitter: number; presets: Readonly<Record<TtlPreset, number>> },
  random: () => number = Math.random,
): number {
  const seconds = resolveTtlSeconds(options.ttlSeconds ?? options.ttl ?? defaults.ttl, defaults.presets);
  const jitter = checkJitter(options.jitter ?? defaults.jitter);
  return Math.max(1, Math.round(seconds * 1000 * (1 - random() * jitter)));
}

export function checkJitter(jitter: number): number {
  if (!(jitter >= 0 && jitter <= 1))
    throw new CacheArgumentError(`jitter must be within 0..1 (got ${jitter})`);
  return jitter;
}
