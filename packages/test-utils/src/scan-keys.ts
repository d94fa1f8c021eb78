// Listing keys the way an operator would: SCAN (never KEYS, which blocks the server).
import type { Redis } from 'ioredis';

/** Every key matching `pattern`, sorted (SCAN returns them in no particular order). */
export async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}
