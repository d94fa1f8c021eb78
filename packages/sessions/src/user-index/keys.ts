import type { Keyspace } from '@rnh/redis-client';

// Layout inside the index keyspace (e.g. `rnh:user-sessions:`), per user:
//   <prefix>{<userId>}          HASH <sid> -> {"userAgent","ipPrefix","createdAt","lastSeenAt"} (JSON)
//   <prefix>{<userId>}:revoked  HASH s:<sid> -> revoked at (µs), * -> revoke cutoff (µs), + -> the session kept by revokeOthers
// Both share the `{userId}` tag. Session keys live in other slots: the index never
// touches them in the same script (per-key operations, session first).

export function entriesKey(keys: Keyspace, userId: string): string {
  return keys.key(`{${userId}}`);
}

export function revokedKey(keys: Keyspace, userId: string): string {
  return keys.key(`{${userId}}`, 'revoked');
}

/** SCAN pattern of the per-user entries hashes only (they end with the closing brace; `:revoked` keys do not). */
export function entriesKeyPattern(keys: Keyspace): string {
  return keys.pattern('{*}');
}
