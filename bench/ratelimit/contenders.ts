// Every rate limiter in the benchmark, each set up as its documentation shows, all on one redis-server.
import {
  fixedWindow,
  gcra,
  ipKey,
  rateLimit as rnhMiddleware,
  RateLimiter,
  slidingWindow,
  tokenBucket,
  type Decision,
  type Policy,
} from '@rnh/ratelimit';
import type { Logger, RedisConnections } from '@rnh/redis-client';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import { Redis, type RedisOptions } from 'ioredis';
import type { Registry } from 'prom-client';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Operation } from '../lib/measure.js';
import type { Contender, Role } from '../lib/runner.js';
import { drive, type MiddlewareOutcome } from './mock-http.js';

/** One workload: which keys are used in turn, and the limit every contender is configured with. */
export interface Scenario {
  kind: 'distinct' | 'hot';
  /** Table title. */
  group: string;
  /** Identifiers for the limiters called directly (`client:17`), taken in turn. */
  keys: string[];
  /** The same clients as IPv4 addresses, for the middlewares (they key by `req.ip`). */
  ips: string[];
  /** Requests per window, for every contender. */
  limit: number;
  windowMs: number;
}

export interface Setting {
  host: string;
  port: number;
}

/** The app side of @rnh/ratelimit: built once by the caller, as a composition root would. */
export interface RnhApp {
  connections: RedisConnections;
  registry: Registry;
  logger: Logger;
}

/** Decisions seen so far: counted by every contender the same way. */
class Outcomes {
  allowed = 0;
  denied = 0;
  /** Denials answered in-process (our local deny cache), a subset of `denied`. */
  local = 0;
  /** Outcomes that void the measurement: a denial where all must pass, a fail-open, a 503. */
  unexpected = 0;

  constructor(private readonly kind: Scenario['kind']) {}

  allow(): void {
    this.allowed++;
  }

  deny(local = false): void {
    this.denied++;
    if (local) this.local++;
    if (this.kind === 'distinct') this.unexpected++;
  }

  counts = (): Record<string, number> => ({
    allowed: this.allowed,
    denied: this.denied,
    local: this.local,
  });
}

/**
 * The scenario's keys in turn, from where the last call left off: each measured round goes on
 * along the sequence (the operation's index starts at 0 again every round), so a cell of 1M
 * keys keeps meeting new keys instead of replaying the first round's.
 */
function cycle(values: readonly string[]): () => string {
  let next = 0;
  return () => values[next++ % values.length]!;
}

const id = (scenario: Scenario, name: string) => `${scenario.kind}:${name}`;

/** A limiter name / key prefix segment unique to a contender: [A-Za-z0-9_.-]. */
const slug = (scenario: Scenario, name: string) => `bench-${scenario.kind}-${name}`;

async function connected(options: RedisOptions): Promise<Redis> {
  const client = new Redis({ ...options, lazyConnect: true });
  client.on('error', () => undefined); // failed commands are counted by the runner
  await client.connect();
  return client;
}

export type RlfVariant = 'default' | 'auto-pipelining' | 'in-memory-block';

/**
 * rate-limiter-flexible's RateLimiterRedis on an ioredis client made as its README shows
 * (`new Redis({ enableOfflineQueue: false })`): a fixed window of `duration` seconds from a
 * key's first request, one Lua call per `consume()` (SET NX EX + INCRBY + PTTL). Over the
 * limit `consume()` rejects with a RateLimiterRes, which is a denial, not an error.
 * Variants (information only): the client with auto-pipelining (as our `commands` connection
 * has), and `inMemoryBlockOnConsumed: points + 1`, its in-process block of keys over the
 * limit until the window ends (what our local deny cache does; off by default).
 */
export function rlf(scenario: Scenario, setting: Setting, variant: RlfVariant = 'default'): Contender {
  const outcomes = new Outcomes(scenario.kind);
  let client: Redis | undefined;
  const name = { default: 'rlf', 'auto-pipelining': 'rlf-ap', 'in-memory-block': 'rlf-memblock' }[variant];
  const role: Role = variant === 'default' ? 'baseline' : 'info';
  const detail = {
    default: '',
    'auto-pipelining': ' (auto-pipelining client)',
    'in-memory-block': ' (inMemoryBlockOnConsumed)',
  }[variant];
  return {
    id: id(scenario, name),
    label: `rate-limiter-flexible RateLimiterRedis.consume()${detail}`,
    group: scenario.group,
    role,
    async setup() {
      client = await connected({
        host: setting.host,
        port: setting.port,
        enableOfflineQueue: false,
        enableAutoPipelining: variant === 'auto-pipelining',
      });
      const limiter = new RateLimiterRedis({
        storeClient: client,
        keyPrefix: slug(scenario, name),
        points: scenario.limit,
        duration: scenario.windowMs / 1000,
        ...(variant === 'in-memory-block' ? { inMemoryBlockOnConsumed: scenario.limit + 1 } : {}),
      });
      const nextKey = cycle(scenario.keys);
      const op: Operation = async () => {
        try {
          await limiter.consume(nextKey());
          outcomes.allow();
        } catch (error) {
          if (!(error instanceof RateLimiterRes)) throw error;
          outcomes.deny();
        }
      };
      return checked(scenario, op, outcomes);
    },
    misses: () => outcomes.unexpected,
    counts: outcomes.counts,
    async close() {
      await client?.quit().catch(() => client?.disconnect());
    },
  };
}

/**
 * express-rate-limit 8 with rate-limit-redis 6 as its README shows for ioredis
 * (`sendCommand: (command, ...args) => client.call(command, ...args)`), `standardHeaders:
 * 'draft-8', legacyHeaders: false` as express-rate-limit's README recommends, key by `req.ip`
 * (its default key generator, with its default validations). The middleware is called
 * directly with a fresh mock request and response per decision (see mock-http.ts).
 */
export function erl(scenario: Scenario, setting: Setting): Contender {
  const outcomes = new Outcomes(scenario.kind);
  let client: Redis | undefined;
  return {
    id: id(scenario, 'erl'),
    label: 'express-rate-limit + rate-limit-redis (middleware, mock req/res)',
    group: scenario.group,
    role: 'peer',
    async setup() {
      client = await connected({ host: setting.host, port: setting.port });
      const redis = client;
      const middleware = expressRateLimit({
        windowMs: scenario.windowMs,
        limit: scenario.limit,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        store: new RedisStore({
          prefix: `${slug(scenario, 'erl')}:`,
          sendCommand: (command: string, ...args: string[]) =>
            redis.call(command, ...args) as Promise<RedisReply>,
        }),
      });
      const nextIp = cycle(scenario.ips);
      const op: Operation = async () => {
        const outcome = await drive(middleware, nextIp());
        countMiddleware(outcome, outcomes, false);
      };
      return checked(scenario, op, outcomes);
    },
    misses: () => outcomes.unexpected,
    counts: outcomes.counts,
    async close() {
      await client?.quit().catch(() => client?.disconnect());
    },
  };
}

export type RnhAlgorithm = 'fixed-window' | 'sliding-window' | 'token-bucket' | 'gcra';

export interface RnhVariant {
  algorithm: RnhAlgorithm;
  /** Default true, as in production. */
  localDenyCache?: boolean;
  /** Through `rateLimit(limiter, { key: ipKey() })` with mock req/res instead of `limiter.limit(key)`. */
  middleware?: boolean;
}

const POLICY: Record<RnhAlgorithm, (options: { limit: number; windowMs: number }) => Policy> = {
  'fixed-window': fixedWindow,
  'sliding-window': slidingWindow,
  'token-bucket': tokenBucket,
  gcra,
};

export const SHORT: Record<RnhAlgorithm, string> = {
  'fixed-window': 'fw',
  'sliding-window': 'sw',
  'token-bucket': 'tb',
  gcra: 'gcra',
};

/**
 * @rnh/ratelimit as an app builds it: the shared `commands` connection of RedisConnections
 * (auto-pipelining, client metrics with exemplars), `connections.keys.child('ratelimit')`,
 * metrics on the app registry, spans through the global tracer provider, `failure: 'open'`,
 * keys hashed (the default), the local deny cache on unless turned off here.
 */
export function rnh(scenario: Scenario, app: RnhApp, variant: RnhVariant): Contender {
  const outcomes = new Outcomes(scenario.kind);
  const ldc = variant.localDenyCache ?? true;
  const name = `rnh-${variant.middleware ? 'mw-' : ''}${SHORT[variant.algorithm]}${ldc ? '' : '-noldc'}`;
  const label =
    `@rnh/ratelimit ${variant.middleware ? 'rateLimit()' : 'limit()'} ` +
    `${variant.algorithm.replace('-', ' ').replace('gcra', 'GCRA')}${ldc ? '' : ', localDenyCache off'}` +
    (variant.middleware ? ' (middleware, mock req/res)' : '');
  const ours = variant.algorithm === 'fixed-window' && ldc && !variant.middleware;
  return {
    id: id(scenario, name),
    label,
    group: scenario.group,
    role: ours ? 'ours' : 'info',
    async setup() {
      const limiter = new RateLimiter(
        {
          redis: app.connections.shared('commands'),
          keys: app.connections.keys.child('ratelimit'),
          logger: app.logger,
          registry: app.registry,
        },
        {
          name: slug(scenario, name),
          policies: POLICY[variant.algorithm]({ limit: scenario.limit, windowMs: scenario.windowMs }),
          failure: 'open',
          ...(ldc ? {} : { localDenyCache: false as const }),
        },
      );
      let op: Operation;
      if (variant.middleware) {
        const middleware = rnhMiddleware(limiter, { key: ipKey() });
        const nextIp = cycle(scenario.ips);
        op = async () => {
          const outcome = await drive(middleware, nextIp());
          countMiddleware(outcome, outcomes, true);
        };
      } else {
        const nextKey = cycle(scenario.keys);
        op = async () => countDecision(await limiter.limit(nextKey()), outcomes);
      }
      return checked(scenario, op, outcomes);
    },
    misses: () => outcomes.unexpected,
    counts: outcomes.counts,
    async close() {
      // The limiter holds nothing of its own: the connection belongs to RedisConnections.
    },
  };
}

function countDecision(decision: Decision | undefined, outcomes: Outcomes): void {
  if (!decision) {
    outcomes.unexpected++;
    return;
  }
  switch (decision.reason) {
    case 'allowed':
      outcomes.allow();
      return;
    case 'limited':
      outcomes.deny();
      return;
    case 'local_block':
      outcomes.deny(true);
      return;
    default:
      // fail_open / fail_closed: Redis was not reached in time; shadow is not configured here.
      outcomes.unexpected++;
  }
}

function countMiddleware(outcome: MiddlewareOutcome, outcomes: Outcomes, rnhDecision: boolean): void {
  if (rnhDecision) {
    countDecision(outcome.locals.rateLimit as Decision | undefined, outcomes);
    return;
  }
  if (outcome.passed) outcomes.allow();
  else if (outcome.status === 429) outcomes.deny();
  else outcomes.unexpected++;
}

/** Runs one decision after setup (it also loads the scripts); in the distinct-keys scenario it must be allowed. */
async function checked(scenario: Scenario, op: Operation, outcomes: Outcomes): Promise<Operation> {
  const before = outcomes.allowed;
  await op(0);
  if (outcomes.unexpected > 0 || (scenario.kind === 'distinct' && outcomes.allowed !== before + 1))
    throw new Error(`the first decision was not as expected: ${JSON.stringify(outcomes.counts())}`);
  return op;
}
