// Reads keys the way an operator would: SCAN inside one prefix (never KEYS).
import { Redis } from 'ioredis';

export async function scanKeys(redisUrl: string, pattern: string): Promise<string[]> {
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await admin.connect();
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found.sort();
  } finally {
    admin.disconnect();
  }
}
