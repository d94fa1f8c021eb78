import { CacheArgumentError } from '../errors.js';

/** Namespaces become part of keys and metric labels: short, and never a `{hash tag}` or glob character. */
const NAMESPACE = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_TAG_LENGTH = 256;

export function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new CacheArgumentError(`${what} must be > 0 (got ${value})`);
  return value;
}

/** 0 is allowed and means "off" (softTimeoutMs). */
export function nonNegative(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw new CacheArgumentError(`${what} must be >= 0 (got ${value})`);
  return value;
}

/** `__`-prefixed names are reserved for the cache's own domains (`__tags`, `__lock`, `__bus`). */
export function assertNamespace(name: string): void {
  if (!NAMESPACE.test(name) || name.startsWith('__')) {
    throw new CacheArgumentError(
      `cache namespace must be 1-64 of [A-Za-z0-9_.-], not starting with "__" (got ${JSON.stringify(name.slice(0, 80))})`,
    );
  }
}

export function checkFraction(value: number, what: string): number {
  if (!(value >= 0 && value <= 1)) throw new CacheArgumentError(`${what} must be within 0..1 (got ${value})`);
  return value;
}

export function checkGrace(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new CacheArgumentError(`graceSeconds must be >= 0 (got ${seconds})`);
  }
  return seconds;
}

/** Throws CacheArgumentError unless every tag is a non-empty string of at most MAX_TAG_LENGTH characters. */
export function checkTags(tags: readonly string[] | undefined): void {
  if (!tags) return;
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_TAG_LENGTH) {
      throw new CacheArgumentError(
        `a tag must be a non-empty string of at most ${MAX_TAG_LENGTH} characters`,
      );
    }
  }
}

/** Validated and deduplicated tags. */
export function normalizeTags(tags: readonly string[] | undefined): string[] {
  if (!tags || tags.length === 0) return [];
  checkTags(tags);
  return [...new Set(tags)];
}
