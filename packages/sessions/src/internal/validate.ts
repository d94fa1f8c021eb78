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

export function nonNegativeSeconds(value: number | undefined, fallback: number, what: string): number {
  const seconds = value ?? fallback;
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new SessionsArgumentError(`${what} must be a number of seconds >= 0 (got ${String(value)})`);
  return seconds;
}

export function nonNegativeMs(value: number | undefined, fallback: number, what: string): number {
  const ms = value ?? fallback;
  if (!Number.isFinite(ms) || ms < 0)
    throw new SessionsArgumentError(`${what} must be a number of milliseconds >= 0 (got ${String(value)})`);
  return ms;
}

export { DEFAULTS } from '../defaults.js';
