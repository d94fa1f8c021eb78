// The api's one place that reads the environment. Everything else gets values from here.
import {
  ConfigError,
  count,
  fraction,
  logLevel,
  logPretty,
  milliseconds,
  nodeEnv,
  parseEnv,
  port,
  rateRule,
  seconds,
  serviceName,
  type RateRule,
} from '@rnh/config';
import { redisOptionsFromEnv, type RedisOptions } from '@rnh/redis-client';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { trustProxySetting, type TrustProxy } from './http/trust-proxy.js';
import { DEFAULT_HASH_COST, MAX_HASH_COST, MIN_HASH_COST } from './users/passwords.js';

export { ConfigError };

// A relative API_DATA_DIR is the app's own (apps/api/.data by default), not the caller's cwd,
// so a script started from the repository root uses the data the running app uses.
const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface ApiConfig {
  nodeEnv: 'development' | 'production' | 'test';
  serviceName: string;
  http: {
    host: string;
    port: number;
    trustProxy: TrustProxy;
    /** Origins whose pages may send cookie-authenticated writes: API_PUBLIC_URL's and API_ALLOWED_ORIGINS. */
    allowedOrigins: string[];
  };
  /** The listener of GET /metrics (loopback by default); undefined when API_METRICS_PORT is 0. */
  metrics: { host: string; port: number } | undefined;
  log: { level: string; pretty: boolean };
  redis: RedisOptions;
  shutdownTimeoutMs: number;
  /** After SIGTERM, serve this long with `/ready` answering 503 before closing the listener. */
  shutdownDrainMs: number;
  /** Where embedded data lives (PGlite's database): an absolute path, relative ones resolved from apps/api. */
  dataDir: string;
  /** A PostgreSQL URL; without one the api uses embedded PGlite under `dataDir`. */
  databaseUrl: string | undefined;
  /** Base URL for links in emails. */
  publicUrl: string;
  /** Accounts (emails, trimmed and lowercased) that may use the /admin routes once the email is verified. */
  adminEmails: string[];
  /** Seals the token-carrying links of mail jobs in Redis; the worker needs the same. */
  jobSecretKey: string;
  sessions: {
    secret: string;
    cookieName: string;
    secureCookie: boolean;
    idleTtlSeconds: number;
    absoluteTtlSeconds: number;
    /** How long a session, token or index operation waits for Redis before it answers 503. */
    operationTimeoutMs: number;
  };
  cache: {
    /** Seconds of the TTL presets the code names (short, medium, long, day). */
    ttlPresets: { short: number; medium: number; long: number; day: number };
    graceSeconds: number;
    jitter: number;
    operationTimeoutMs: number;
    /** The in-process L1; undefined when CACHE_L1_MAX_ENTRIES is 0. */
    l1: { maxEntries: number; maxBytes: number; ttlSeconds: number } | undefined;
  };
  rateLimits: {
    /** Each limiter's rule; undefined when switched off (`off`). */
    rules: Record<RateLimiterName, RateRule | undefined>;
    /** Limiters that evaluate and count but never block. */
    shadow: RateLimiterName[];
    /** Status of denials when a fail-closed limiter (auth, signup, email) cannot reach Redis. */
    failClosedStatus: 429 | 503;
    /** How long a limiter waits for Redis before its failure policy answers. */
    operationTimeoutMs: number;
  };
  realtime: {
    /** Live connections (SSE and WebSocket) per user across every instance; 0 for no limit. */
    maxConnectionsPerUser: number;
    /** A connection is online this long after its last heartbeat (heartbeats come every third of it). */
    presenceTtlSeconds: number;
  };
  passwords: {
    /** log2 of scrypt's N for new hashes; older, cheaper hashes are upgraded at sign-in. */
    hashCost: number;
  };
  tokens: {
    emailVerificationTtlSeconds: number;
    passwordResetTtlSeconds: number;
    inviteTtlSeconds: number;
    accessTtlSeconds: number;
    /** How long an instance keeps a token's revocation state in-process (dropped at once on a revocation). */
    accessRevocationL1TtlSeconds: number;
    /** While Redis is unreachable, a checked access token keeps working this much longer (0: off). */
    accessOutageGraceSeconds: number;
    refreshTtlSeconds: number;
    /** A refresh-token family ends this long after sign-in, however often it is rotated. */
    refreshFamilyMaxAgeSeconds: number;
  };
}

export const RATE_LIMITERS = [
  'global',
  'api',
  'auth',
  'auth_account',
  'signup',
  'email_user',
  'email_address',
] as const;
export type RateLimiterName = (typeof RATE_LIMITERS)[number];

// Only for development and tests; production refuses to start without SESSION_SECRET.
const DEVELOPMENT_SESSION_SECRET = 'development-only-session-secret-change-me';
// Likewise; the worker's config has the same default, so development mail works out of the box.
const DEVELOPMENT_JOB_SECRET_KEY = 'development-only-job-secret-key-change-me';

/** Every variable the api reads besides Redis's (`redisOptionsFromEnv`), with its default and meaning. */
export const configSchema = z.object({
  NODE_ENV: nodeEnv(),
  API_HOST: z
    .string()
    .min(1, 'API_HOST must be a host name or address')
    .default('0.0.0.0')
    .describe('address the api listens on'),
  API_PORT: port('API_PORT', 3000).describe("port of the api's HTTP server"),
  API_TRUST_PROXY: trustProxySetting('API_TRUST_PROXY').meta({
    description:
      'proxies in front of the api: a hop count (`1`) or addresses, CIDRs, `loopback`, `uniquelocal`; never `true` in production',
    production: 'required: the number of proxies in front of the api or their addresses',
  }),
  API_METRICS_HOST: z
    .string()
    .min(1, 'API_METRICS_HOST must be a host name or address')
    .default('127.0.0.1')
    .describe("address of the api's `GET /metrics` listener (never on `API_PORT`)"),
  API_METRICS_PORT: z.coerce
    .number({ error: 'API_METRICS_PORT must be a port number 1-65535, or 0 for no metrics listener' })
    .int('API_METRICS_PORT must be a port number 1-65535, or 0 for no metrics listener')
    .min(0, 'API_METRICS_PORT must be a port number 1-65535, or 0 for no metrics listener')
    .max(65535, 'API_METRICS_PORT must be a port number 1-65535, or 0 for no metrics listener')
    .default(9464)
    .describe("port of the api's `GET /metrics` listener; `0`: no metrics listener"),
  API_SHUTDOWN_TIMEOUT_MS: milliseconds('API_SHUTDOWN_TIMEOUT_MS', 10_000).describe(
    'how long in-flight requests may finish after SIGTERM, ms',
  ),
  API_SHUTDOWN_DRAIN_MS: count('API_SHUTDOWN_DRAIN_MS', 0).describe(
    'after SIGTERM, how long the api keeps serving while `GET /ready` answers 503, ms, so that a load balancer checking it takes it out before it stops accepting; 0 stops at once (Kubernetes: a preStop sleep does it)',
  ),
  LOG_LEVEL: logLevel(),
  LOG_PRETTY: logPretty(),
  OTEL_SERVICE_NAME: serviceName('rnh-api'),
  API_DATA_DIR: z
    .string()
    .min(1, 'API_DATA_DIR must be a directory path')
    .default('.data')
    .describe('embedded data: the PGlite database (`pglite/`); a relative path is from apps/api'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL')
    .optional()
    .describe(
      '`postgres://…` to use PostgreSQL; without it the api runs on embedded PGlite. Migrations run at start either way',
    ),
  API_PUBLIC_URL: z
    .url({ error: 'API_PUBLIC_URL must be a URL such as https://app.example.com' })
    .optional()
    .meta({
      description:
        'base URL of links in emails (verification, password reset, invites); pages of its origin may send writes (CSRF check)',
      defaultNote: 'http://localhost:<API_PORT>',
    }),
  API_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.httpUrl({
          error:
            'API_ALLOWED_ORIGINS must be a comma-separated list of origins such as https://app.example.com',
        }),
      ),
    )
    .describe(
      'comma-separated origins whose pages may also send cookie-authenticated writes (`https://admin.example.com`)',
    ),
  API_ADMIN_EMAILS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((email) => email.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.email({ error: 'API_ADMIN_EMAILS must be a comma-separated list of email addresses' })))
    .describe('comma-separated accounts that may use the `/admin` routes once their email is verified'),
  SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional().meta({
    description: 'signs session cookies and access tokens, at least 32 characters',
    defaultNote: 'a fixed development value',
    production: 'required, at least 32 random characters',
  }),
  JOB_SECRET_KEY: z.string().min(32, 'JOB_SECRET_KEY must be at least 32 characters').optional().meta({
    description:
      'seals token links in queued mail; the same in the api and the worker, at least 32 characters',
    defaultNote: 'a fixed development value',
    production: 'required, at least 32 random characters, the same in the api and the worker',
  }),
  SESSION_COOKIE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'SESSION_COOKIE_NAME must be a plain cookie name')
    .default('sid')
    .describe('the session cookie (httpOnly, SameSite=Lax, Secure in production)'),
  SESSION_IDLE_TTL_SECONDS: seconds('SESSION_IDLE_TTL_SECONDS', 86_400).describe(
    'a session ends after this long without a request',
  ),
  SESSION_ABSOLUTE_TTL_SECONDS: seconds('SESSION_ABSOLUTE_TTL_SECONDS', 30 * 86_400).describe(
    'a session ends after this long whatever the activity',
  ),
  SESSION_OPERATION_TIMEOUT_MS: milliseconds('SESSION_OPERATION_TIMEOUT_MS', 1000).describe(
    'a session, token or session-index operation without an answer from Redis this long fails (503)',
  ),
  CACHE_TTL_SHORT: seconds('CACHE_TTL_SHORT', 300).describe(
    "seconds of the cache's short TTL preset (listings)",
  ),
  CACHE_TTL_MEDIUM: seconds('CACHE_TTL_MEDIUM', 1_800).describe("seconds of the cache's medium TTL preset"),
  CACHE_TTL_LONG: seconds('CACHE_TTL_LONG', 3_600).describe(
    "seconds of the cache's long TTL preset (profiles, organizations)",
  ),
  CACHE_TTL_DAY: seconds('CACHE_TTL_DAY', 86_400).describe("seconds of the cache's day TTL preset"),
  CACHE_GRACE_SECONDS: count('CACHE_GRACE_SECONDS', 300).describe(
    'how long past its TTL an entry may still be served stale (while refreshing, or when the database or Redis fails)',
  ),
  CACHE_JITTER: fraction('CACHE_JITTER', 0.1).describe(
    'each TTL is shortened by up to this fraction at random, so entries written together do not expire together',
  ),
  CACHE_OPERATION_TIMEOUT_MS: milliseconds('CACHE_OPERATION_TIMEOUT_MS', 250).describe(
    'a cache call to Redis slower than this counts as a failure and the cache reads through',
  ),
  CACHE_L1_MAX_ENTRIES: count('CACHE_L1_MAX_ENTRIES', 10_000).describe(
    "entries of each process's in-memory L1 cache at most; `0` turns the L1 off",
  ),
  CACHE_L1_MAX_BYTES: count('CACHE_L1_MAX_BYTES', 64 * 1024 * 1024).describe(
    "bytes of each process's in-memory L1 cache at most",
  ),
  CACHE_L1_TTL_SECONDS: seconds('CACHE_L1_TTL_SECONDS', 60).describe(
    'an L1 copy is trusted at most this long (invalidations normally drop it sooner)',
  ),
  // The seed guide's limits: global 100 per 15 min per client, failed sign-ins 5 per 15 min, API 60 per minute.
  RATE_LIMIT_GLOBAL: rateRule('RATE_LIMIT_GLOBAL', '100/15m').describe(
    'requests per client address, `<count>/<window>` (s, m, h, d) or `off`',
  ),
  RATE_LIMIT_API: rateRule('RATE_LIMIT_API', '60/1m').describe(
    'API requests per client, `<count>/<window>` or `off`',
  ),
  RATE_LIMIT_AUTH: rateRule('RATE_LIMIT_AUTH', '5/15m').describe(
    'failed sign-ins per address and email, `<count>/<window>` or `off`',
  ),
  RATE_LIMIT_AUTH_ACCOUNT: rateRule('RATE_LIMIT_AUTH_ACCOUNT', '10/15m').describe(
    'failed sign-ins per account from every address (a browser that signed in to it before is exempt)',
  ),
  RATE_LIMIT_SIGNUP: rateRule('RATE_LIMIT_SIGNUP', '5/1h').describe(
    'new accounts per client address, `<count>/<window>` or `off`',
  ),
  RATE_LIMIT_EMAIL_USER: rateRule('RATE_LIMIT_EMAIL_USER', '10/1h').describe(
    'mail one user may trigger, `<count>/<window>` or `off`',
  ),
  RATE_LIMIT_EMAIL_ADDRESS: rateRule('RATE_LIMIT_EMAIL_ADDRESS', '3/1h').describe(
    'mail one address may receive, `<count>/<window>` or `off`',
  ),
  RATE_LIMIT_SHADOW: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.enum(RATE_LIMITERS, {
          error: `RATE_LIMIT_SHADOW must list limiters among ${RATE_LIMITERS.join(', ')}`,
        }),
      ),
    )
    .describe(
      'comma-separated limiters (`global,api,...`) that count what they would refuse but refuse nothing: roll a new limit out safely',
    ),
  RATE_LIMIT_FAIL_CLOSED_STATUS: z
    .enum(['429', '503'], { error: 'RATE_LIMIT_FAIL_CLOSED_STATUS must be 429 or 503' })
    .default('503')
    .transform(Number)
    .describe('status of `auth`, `signup` and mail refusals while Redis is unreachable (`429` or `503`)'),
  RATE_LIMIT_OPERATION_TIMEOUT_MS: milliseconds('RATE_LIMIT_OPERATION_TIMEOUT_MS', 250).describe(
    'a limiter that has no answer from Redis this long applies its failure policy (open or closed)',
  ),
  EMAIL_VERIFICATION_TTL_SECONDS: seconds('EMAIL_VERIFICATION_TTL_SECONDS', 86_400).describe(
    'lifetime of an email verification link',
  ),
  PASSWORD_RESET_TTL_SECONDS: seconds('PASSWORD_RESET_TTL_SECONDS', 3_600).describe(
    'lifetime of a password reset link',
  ),
  INVITE_TTL_SECONDS: seconds('INVITE_TTL_SECONDS', 7 * 86_400).describe(
    'lifetime of an organization invite link',
  ),
  ACCESS_TOKEN_TTL_SECONDS: seconds('ACCESS_TOKEN_TTL_SECONDS', 900).describe(
    "lifetime of an API client's access token",
  ),
  ACCESS_TOKEN_REVOCATION_L1_TTL_SECONDS: seconds('ACCESS_TOKEN_REVOCATION_L1_TTL_SECONDS', 10).describe(
    "how long an instance keeps a checked access token's revocation state in-process (a revocation drops it at once)",
  ),
  ACCESS_TOKEN_OUTAGE_GRACE_SECONDS: count('ACCESS_TOKEN_OUTAGE_GRACE_SECONDS', 300).describe(
    'while Redis is unreachable, an access token checked on this instance keeps working this much longer (revocations need Redis, so none can happen meanwhile); 0 fails every unchecked token closed',
  ),
  REFRESH_TOKEN_TTL_SECONDS: seconds('REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400).describe(
    "lifetime of an API client's refresh token",
  ),
  REFRESH_FAMILY_MAX_AGE_SECONDS: seconds('REFRESH_FAMILY_MAX_AGE_SECONDS', 90 * 86_400).describe(
    'a refresh-token family (one sign-in of an API client) ends this long after sign-in, however often it is rotated',
  ),
  PASSWORD_HASH_COST: passwordHashCost(),
  REALTIME_MAX_CONNECTIONS_PER_USER: count('REALTIME_MAX_CONNECTIONS_PER_USER', 5).describe(
    'live connections (GET /events, GET /ws) one user may hold across every api instance; 0 for no limit',
  ),
  REALTIME_PRESENCE_TTL_SECONDS: seconds('REALTIME_PRESENCE_TTL_SECONDS', 30).describe(
    "a live connection counts as online this long after its last heartbeat (every third of it): how long a crashed instance's users stay online",
  ),
});

function passwordHashCost() {
  const message = `PASSWORD_HASH_COST must be a whole number from ${MIN_HASH_COST} to ${MAX_HASH_COST} (log2 of scrypt's N)`;
  return z.coerce
    .number({ error: message })
    .int(message)
    .min(MIN_HASH_COST, message)
    .max(MAX_HASH_COST, message)
    .default(DEFAULT_HASH_COST)
    .meta({
      description:
        'scrypt cost of new password hashes, log2 N (r=8, p=1); hashes of a lower cost are upgraded at sign-in',
      production: `at least ${DEFAULT_HASH_COST} (OWASP's minimum for scrypt)`,
    });
}

/** Reads and validates the api's configuration; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const values = parseEnv(configSchema, env, { redis: redisOptionsFromEnv });
  const production = values.NODE_ENV === 'production';
  const secureCookie = production;
  const publicUrl = (values.API_PUBLIC_URL ?? `http://localhost:${values.API_PORT}`).replace(/\/$/, '');
  const problems = production ? productionProblems(values, secureCookie) : [];
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    nodeEnv: values.NODE_ENV,
    serviceName: values.OTEL_SERVICE_NAME,
    http: {
      host: values.API_HOST,
      port: values.API_PORT,
      trustProxy: values.API_TRUST_PROXY,
      allowedOrigins: [
        ...new Set([publicUrl, ...values.API_ALLOWED_ORIGINS].map((url) => new URL(url).origin)),
      ],
    },
    metrics:
      values.API_METRICS_PORT === 0
        ? undefined
        : { host: values.API_METRICS_HOST, port: values.API_METRICS_PORT },
    log: { level: values.LOG_LEVEL, pretty: values.LOG_PRETTY },
    redis: values.redis,
    shutdownTimeoutMs: values.API_SHUTDOWN_TIMEOUT_MS,
    shutdownDrainMs: values.API_SHUTDOWN_DRAIN_MS,
    dataDir: resolve(APP_DIR, values.API_DATA_DIR),
    databaseUrl: values.DATABASE_URL,
    publicUrl,
    adminEmails: values.API_ADMIN_EMAILS,
    jobSecretKey: values.JOB_SECRET_KEY ?? DEVELOPMENT_JOB_SECRET_KEY,
    sessions: {
      secret: values.SESSION_SECRET ?? DEVELOPMENT_SESSION_SECRET,
      cookieName: values.SESSION_COOKIE_NAME,
      secureCookie,
      idleTtlSeconds: values.SESSION_IDLE_TTL_SECONDS,
      absoluteTtlSeconds: values.SESSION_ABSOLUTE_TTL_SECONDS,
      operationTimeoutMs: values.SESSION_OPERATION_TIMEOUT_MS,
    },
    cache: {
      ttlPresets: {
        short: values.CACHE_TTL_SHORT,
        medium: values.CACHE_TTL_MEDIUM,
        long: values.CACHE_TTL_LONG,
        day: values.CACHE_TTL_DAY,
      },
      graceSeconds: values.CACHE_GRACE_SECONDS,
      jitter: values.CACHE_JITTER,
      operationTimeoutMs: values.CACHE_OPERATION_TIMEOUT_MS,
      l1:
        values.CACHE_L1_MAX_ENTRIES === 0
          ? undefined
          : {
              maxEntries: values.CACHE_L1_MAX_ENTRIES,
              maxBytes: values.CACHE_L1_MAX_BYTES,
              ttlSeconds: values.CACHE_L1_TTL_SECONDS,
            },
    },
    rateLimits: {
      rules: {
        global: values.RATE_LIMIT_GLOBAL,
        api: values.RATE_LIMIT_API,
        auth: values.RATE_LIMIT_AUTH,
        auth_account: values.RATE_LIMIT_AUTH_ACCOUNT,
        signup: values.RATE_LIMIT_SIGNUP,
        email_user: values.RATE_LIMIT_EMAIL_USER,
        email_address: values.RATE_LIMIT_EMAIL_ADDRESS,
      },
      shadow: values.RATE_LIMIT_SHADOW,
      failClosedStatus: values.RATE_LIMIT_FAIL_CLOSED_STATUS as 429 | 503,
      operationTimeoutMs: values.RATE_LIMIT_OPERATION_TIMEOUT_MS,
    },
    passwords: { hashCost: values.PASSWORD_HASH_COST },
    realtime: {
      maxConnectionsPerUser: values.REALTIME_MAX_CONNECTIONS_PER_USER,
      presenceTtlSeconds: values.REALTIME_PRESENCE_TTL_SECONDS,
    },
    tokens: {
      emailVerificationTtlSeconds: values.EMAIL_VERIFICATION_TTL_SECONDS,
      passwordResetTtlSeconds: values.PASSWORD_RESET_TTL_SECONDS,
      inviteTtlSeconds: values.INVITE_TTL_SECONDS,
      accessTtlSeconds: values.ACCESS_TOKEN_TTL_SECONDS,
      accessRevocationL1TtlSeconds: values.ACCESS_TOKEN_REVOCATION_L1_TTL_SECONDS,
      accessOutageGraceSeconds: values.ACCESS_TOKEN_OUTAGE_GRACE_SECONDS,
      refreshTtlSeconds: values.REFRESH_TOKEN_TTL_SECONDS,
      refreshFamilyMaxAgeSeconds: values.REFRESH_FAMILY_MAX_AGE_SECONDS,
    },
  };
}

/** What production refuses to start without, each problem naming the variable to set. */
function productionProblems(
  values: Pick<
    z.infer<typeof configSchema>,
    'SESSION_SECRET' | 'JOB_SECRET_KEY' | 'API_TRUST_PROXY' | 'PASSWORD_HASH_COST'
  > & { redis: RedisOptions },
  secureCookie: boolean,
): string[] {
  const problems: string[] = [];
  // Redis holds the sessions, tokens and queued jobs: whoever reaches it unauthenticated owns them.
  if (!values.redis.password)
    problems.push(
      'REDIS_PASSWORD must be set in production (or a password in REDIS_URL): without one, anyone who ' +
        "reaches Redis can read and change sessions, tokens and jobs. Best with REDIS_USERNAME, the api's " +
        'own ACL user (docs/operations.md).',
    );
  const trustProxy = values.API_TRUST_PROXY;
  if (!values.SESSION_SECRET)
    problems.push('SESSION_SECRET must be set in production (at least 32 random characters)');
  if (!values.JOB_SECRET_KEY)
    problems.push(
      'JOB_SECRET_KEY must be set in production (at least 32 random characters, the same in the api and the worker)',
    );
  // The api serves plain HTTP behind a TLS-terminating proxy: it knows a request came over
  // HTTPS only from the X-Forwarded-Proto of a proxy it trusts, and Express will not send a
  // Secure cookie over what it takes for plain HTTP: every sign-in would answer without one.
  if (secureCookie && trustProxy === false)
    problems.push(
      'API_TRUST_PROXY must be set in production: session cookies are Secure, and the api learns that a ' +
        'request came over HTTPS only from the X-Forwarded-Proto header of a proxy it trusts. Set it to the ' +
        'number of proxies in front of the api (e.g. 1) or their addresses (e.g. 10.0.0.0/8).',
    );
  if (trustProxy === true)
    problems.push(
      'API_TRUST_PROXY=true is refused in production: it trusts every X-Forwarded-For entry, and the leftmost ' +
        'one is whatever the client sent, so a client could pick its own address. Set the number of proxies ' +
        'in front of the api (e.g. 1) or their addresses (e.g. 10.0.0.0/8).',
    );
  if (values.PASSWORD_HASH_COST < DEFAULT_HASH_COST)
    problems.push(
      `PASSWORD_HASH_COST must be at least ${DEFAULT_HASH_COST} in production (OWASP's minimum for scrypt)`,
    );
  return problems;
}
