import type { Keyspace } from '@rnh/redis-client';

// Layout inside the store's keyspace (e.g. `rnh:sess:`):
//   <prefix>{<sid>}        HASH d=<session JSON> c=<created, Redis time in µs> u=<userId, if any>
//   <prefix>{<sid>}:gone   STRING tombstone left by destroy/revoke; `set` refuses to write while it exists
// Both share the `{sid}` hash tag, so the set script can use them together on a cluster.

export function sessionKey(keys: Keyspace, sid: string): string {
  return keys.key(`{${sid}}`);
}

export function tombstoneKey(keys: Keyspace, sid: string): string {
  return keys.key(`{${sid}}`, 'gone');
}

/** Session keys only (they end with the closing brace; tombstones do not). */
export function sessionKeyPattern(keys: Keyspace): string {
  return keys.pattern('{*}');
}

/** Session keys and tombstones: everything the store writes. */
export function storeKeyPattern(keys: Keyspace): string {
  return keys.pattern('{*');
}

export function sidFromSessionKey(keys: Keyspace, key: string): string {
  return key.slice(keys.prefix.length + 1, -1);
}
