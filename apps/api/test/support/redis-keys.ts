// Reads keys under a prefix from outside the api, on a connection of its own.
import { scanKeys as scan } from '@rnh/test-utils';
import { Redis } from 'ioredis';

export async function scanKeys(redisUrl: string, pattern: string): Promise<string[]> {
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await admin.connect();
    return await scan(admin, pattern);
  } finally {
    admin.disconnect();
  }
}
