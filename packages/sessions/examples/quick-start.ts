import { OneTimeTokens, RedisSessionStore } from '@rnh/sessions';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
// express-session: app.use(session({ store, secret, resave: false, saveUninitialized: false }))
const store = new RedisSessionStore({ redis }); // keys under rnh:sess:
const tokens = new OneTimeTokens({ redis }, { ttlSeconds: { password_reset: 1800 } });

// A password-reset link's token works once.
const { token } = await tokens.issue('password_reset', 'user-42');
console.log(await tokens.consume('password_reset', token));
console.log('sessions stored:', await store.length());

await redis.quit();
