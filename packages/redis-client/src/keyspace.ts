import { RedisClientError } from './errors.js';
import type { Keyspace } from './types.js';

/**
 * Builds keys as `<prefix><domain>:<parts>` explicitly. We do not use ioredis
 * `keyPrefix`: BullMQ refuses it and it is not applied to SCAN MATCH patterns.
 */
export function keyspace(prefix: string, ...domain: string[]): Keyspace {
  for (const segment of domain) {
    // Braces in the prefix would turn it into a hash tag and pin every key to one cluster slot.
    if (!segment || /[{}\s]/.test(segment)) {
      throw new RedisClientError(
        'REDIS_INVALID_ARGUMENT',
        `keyspace domain must be non-empty without braces or whitespace (got ${JSON.stringify(segment)})`,
      );
    }
  }
  const full = prefix + domain.map((segment) => `${segment}:`).join('');
  return {
    prefix: full,
    key: (...parts) => {
      if (parts.length === 0)
        throw new RedisClientError('REDIS_INVALID_ARGUMENT', 'keyspace.key() needs at least one part');
      return full + parts.join(':');
    },
    child: (...more) => keyspace(full, ...more),
    pattern: (glob = '*') => escapeGlob(full) + glob,
    hashTag: (tag) => {
      const text = String(tag);
      if (!text || /[{}]/.test(text)) {
        throw new RedisClientError(
          'REDIS_INVALID_ARGUMENT',
          `hash tag must be non-empty without braces (got ${JSON.stringify(text)})`,
        );
      }
      return `{${text}}`;
    },
  };
}

/** Escapes Redis glob metacharacters (`* ? [ ] \`) so the text matches literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
