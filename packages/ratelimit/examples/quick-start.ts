import { RateLimiter, fixedWindow } from '@rnh/ratelimit';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
const limiter = new RateLimiter(
  { redis },
  { name: 'login', policies: fixedWindow({ limit: 2, windowMs: 60_000 }) },
);

// Two attempts per minute per key: the third is refused until the window ends.
for (let attempt = 1; attempt <= 3; attempt += 1) {
  const decision = await limiter.limit('user:42');
  console.log(attempt, decision.allowed, decision.remaining);
}

await redis.quit();
