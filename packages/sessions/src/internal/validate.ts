import { SessionsArgumentError } from '../errors.js';

const MAX_ID_LENGTH = 256;

/**
 * Ids that go inside a `{hash tag}` must be non-empty and brace-free: a brace
 * would end the tag early and split related keys across cluster slots.
 */
export function isTaggableId(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH && !/[{}]/.test(value)
  );
}

/** Throws without echoing the value (it may be an id). */
export function assertTaggableId(value: unknown, what: string): asserts value is string {
  if (!isTaggableId(value)) {
    throw new SessionsArgumentError(
      `${what} must be a non-empty string of at most ${MAX_ID_LENGTH} characters without braces`,
    );
  }
}

export function positiveSeconds(value: number | undefined, fallback: number, what: string): number {
  const seconds = value ?? fallback;
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new SessionsArgumentError(`${what} must be a positive number of seconds (got ${String(value)})`);
  return seconds;
}

export function nonNegativeMs(value: number | undefined, fallback: number, what: string): number {
  const ms = value ?? fallback;
  if (!Number.isFinite(ms) || ms < 0)
    throw new SessionsArgumentError(`${what} must be a number of milliseconds >= 0 (got ${String(value)})`);
  return ms;
}

export const DEFAULTS = {
  idleTtlSeconds: 86_400,
  absoluteTtlSeconds: 30 * 86_400,
  operationTimeoutMs: 1000,
  tombstoneTtlSeconds: 300,
  activeSampleCacheMs: 15_000,
  refreshTtlSeconds: 30 * 86_400,
  // A stolen refresh token kept in rotation lives at most this long; users sign in again quarterly.
  refreshFamilyMaxAgeSeconds: 90 * 86_400,
  refreshGraceMs: 10_000,
  reuseHistory: 1000,
  // Access-token revocation copies: fresh for 10 s, the bound on a lost invalidation message.
  accessL1MaxEntries: 10_000,
  accessL1TtlSeconds: 10,
} as const;
