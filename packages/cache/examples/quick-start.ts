import { Cache } from '@rnh/cache';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
const cache = new Cache({ redis }); // keys under rnh:cache:default:

// On a miss the loader runs once (even for concurrent calls) and its value is kept for 60 s.
const user = await cache.getOrSet('user:42', async () => ({ id: 42, name: 'Ada' }), { ttl: 60 });
console.log(user.name, await cache.get('user:42'));

await cache.close();
await redis.quit();
