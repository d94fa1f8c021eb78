import {
  RedisScript,
  toKeyspace,
  type Keyspace,
  type RedisClient,
  type RedisPackageDeps,
  type ScriptRegistry,
} from '@rnh/redis-client';
import { DEFAULT_KEY_PREFIX, DEFAULT_OPERATION_TIMEOUT_MS, DEFAULT_STORE_WINDOW_MS } from '../defaults.js';
import { RateLimitArgumentError } from '../errors.js';
import { identifierTag } from '../internal/hash.js';
import { withTimeout } from '../internal/timeout.js';

/** What express-rate-limit's `Store` methods answer (its `ClientRateLimitInfo`). */
export interface ClientRateLimitInfo {
  totalHits: number;
  resetTime: Date | undefined;
}

/**
 * Structurally express-rate-limit's (v7/v8) `Store` interface, declared here so this
 * package does not depend on express-rate-limit.
 */
export interface ExpressRateLimitStore {
  init?: (options: { windowMs: number }) => void;
  get?: (key: string) => Promise<ClientRateLimitInfo | undefined>;
  increment: (key: string) => Promise<ClientRateLimitInfo>;
  decrement: (key: string) => Promise<void>;
  resetKey: (key: string) => Promise<void>;
  localKeys?: boolean;
  prefix?: string;
}

export interface RedisRateLimitStoreDeps extends RedisPackageDeps {
  /** Default `rnh:ratelimit:`; keys are `<prefix>erl:<name>:{<hash>}`. */
  keys?: Keyspace | string;
  scripts?: ScriptRegistry;
}

export interface RedisRateLimitStoreOptions {
  /** Separates stores (1-64 of `[A-Za-z0-9_.-]`); default `default`. */
  name?: string;
  /** The window until express-rate-limit calls `init` with its `windowMs`; default 60 000 ms. */
  windowMs?: number;
  /** Per Redis call; default 250 ms (a timeout rejects, and express-rate-limit's `passOnStoreError` decides). */
  operationTimeoutMs?: number;
  hashKeys?: boolean;
  hashSecret?: string;
}

// A hit counter (express-rate-limit compares it with its limit itself): the window
// starts at a key's first hit, on Redis time. ARGV: delta (1, -1 or 0 to read), windowMs.
// Reply: { hits, ms until the window ends } (-1 when there is no window).
const COUNTER = new RedisScript({
  name: 'rnh-ratelimit:erl-counter',
  keys: 1,
  lua: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delta, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 's', 'n')
local s, n = tonumber(v[1]), tonumber(v[2]) or 0
local open = s and now < s + window
if delta <= 0 then
  if not open then return { 0, -1 } end
  if delta < 0 and n > 0 then
    n = n - 1
    redis.call('HSET', KEYS[1], 'n', string.format('%.0f', n))
  end
  return { n, s + window - now }
end
if not open then s, n = now, 0 end
n = n + delta
redis.call('HSET', KEYS[1], 's', string.format('%.0f', s), 'n', string.format('%.0f', n))
redis.call('PEXPIREAT', KEYS[1], string.format('%.0f', s + window))
return { n, s + window - now }
`,
});

/**
 * Lets an express-rate-limit user keep their middleware and count in our Redis:
 * `rateLimit({ windowMs, limit, store: new RedisRateLimitStore(deps) })`. Shared by
 * every instance (`localKeys: false`), atomic, on Redis time, keys hashed.
 */
export class RedisRateLimitStore implements ExpressRateLimitStore {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs: number;
  private readonly redis: RedisClient;
  private readonly keys: Keyspace;
  private readonly script: RedisScript;
  private readonly timeoutMs: number;
  private readonly hashKeys: boolean;
  private readonly hashSecret: string | undefined;

  constructor(deps: RedisRateLimitStoreDeps, options: RedisRateLimitStoreOptions = {}) {
    const name = options.name ?? 'default';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name))
      throw new RateLimitArgumentError('store name must be 1-64 of [A-Za-z0-9_.-]');
    this.redis = deps.redis;
    this.keys = toKeyspace(deps.keys, DEFAULT_KEY_PREFIX).child('erl', name);
    this.prefix = this.keys.prefix;
    this.script = deps.scripts ? deps.scripts.define(COUNTER) : COUNTER;
    this.windowMs = checkWindow(options.windowMs ?? DEFAULT_STORE_WINDOW_MS);
    this.timeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    this.hashKeys = options.hashKeys ?? true;
    this.hashSecret = options.hashSecret;
  }

  init(options: { windowMs: number }): void {
    this.windowMs = checkWindow(options.windowMs);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const info = await this.run(key, 0);
    return info.totalHits > 0 ? info : undefined;
  }

  increment(key: string): Promise<ClientRateLimitInfo> {
    return this.run(key, 1);
  }

  async decrement(key: string): Promise<void> {
    await this.run(key, -1);
  }

  async resetKey(key: string): Promise<void> {
    await withTimeout(this.redis.unlink(this.redisKey(key)), this.timeoutMs);
  }

  /** The Redis key counting `key`. */
  redisKey(key: string): string {
    return this.keys.key(this.keys.hashTag(identifierTag(key, this.hashKeys, this.hashSecret)));
  }

  private async run(key: string, delta: number): Promise<ClientRateLimitInfo> {
    const reply = await withTimeout(
      this.script.run(this.redis, [this.redisKey(key)], [delta, this.windowMs]),
      this.timeoutMs,
    );
    const [hits, leftMs] = (reply as unknown[]).map(Number) as [number, number];
    // Redis time decided the window; the Date is on this process's clock, as the middleware compares it with Date.now().
    return { totalHits: hits, resetTime: leftMs < 0 ? undefined : new Date(Date.now() + leftMs) };
  }
}

function checkWindow(windowMs: number): number {
  if (!Number.isSafeInteger(windowMs) || windowMs < 1)
    throw new RateLimitArgumentError(`windowMs must be an integer >= 1 (got ${windowMs})`);
  return windowMs;
}
