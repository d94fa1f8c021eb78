import express, { type Request } from 'express';
import { describe, expect, it } from 'vitest';
import {
  apiKeyKey,
  firstKey,
  fixedWindow,
  gcra,
  ipKey,
  rateLimit,
  routeKey,
  userKey,
  type RateLimitMiddlewareOptions,
  type Policy,
} from '../src/index.js';
import { listen, useTestRedis } from './helpers.js';
import {
  Decimal,
  nonNegativeInteger,
  parseDictionary,
  parseItem,
  parseList,
  type Item,
} from './structured-fields.js';

const redis = useTestRedis();
const HOUR = 3_600_000;

async function app(
  policies: Policy | Policy[],
  options: Partial<RateLimitMiddlewareOptions<Request>> = {},
  setup: { before?: (app: express.Express) => void; after?: (app: express.Express) => void } = {},
) {
  const { limiter } = redis.newLimiter({ name: 'http', policies });
  const instance = express();
  setup.before?.(instance);
  const middleware = rateLimit<Request>(limiter, { key: ipKey(), ...options });
  instance.get('/a', middleware, (_req, res) => res.json({ ok: true }));
  instance.get('/b', middleware, (_req, res) => res.json({ ok: true }));
  setup.after?.(instance);
  const server = await listen(instance);
  redis.cleanup.push(() => server.close());
  return {
    get: async (path: string, headers: Record<string, string> = {}) => {
      const res = await fetch(server.url + path, { headers });
      const body = (await res.json()) as unknown;
      return { status: res.status, headers: res.headers, body };
    },
  };
}

function stringItems(header: string | null): Item[] {
  const members = parseList(header ?? '');
  for (const member of members) {
    if (!('value' in member)) throw new Error('inner lists are not allowed here');
    expect(typeof member.value).toBe('string'); // a String (a Token would be a Token instance)
  }
  return members as Item[];
}

describe('rateLimit middleware', () => {
  it('429 with the JSON error and Retry-After; draft-8 fields parse as structured-field Lists', async () => {
    const server = await app(fixedWindow({ name: 'burst', limit: 2, windowMs: 60_000 }));
    const first = await server.get('/a');
    expect(first.status).toBe(200);
    const [policy] = stringItems(first.headers.get('ratelimit-policy'));
    expect(policy!.value).toBe('burst');
    expect(nonNegativeInteger(policy!.params.get('q'), 'q')).toBe(2);
    expect(nonNegativeInteger(policy!.params.get('w'), 'w')).toBe(60);
    const [limit] = stringItems(first.headers.get('ratelimit'));
    expect(limit!.value).toBe('burst');
    expect(nonNegativeInteger(limit!.params.get('r'), 'r')).toBe(1);
    const t = nonNegativeInteger(limit!.params.get('t'), 't');
    expect(t).toBeGreaterThan(0);
    expect(t).toBeLessThanOrEqual(60);

    await server.get('/a');
    const denied = await server.get('/a');
    expect(denied.status).toBe(429);
    expect(denied.headers.get('content-type')).toMatch(/^application\/json/);
    const retryAfter = Number(denied.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(denied.body).toEqual({
      error: {
        code: 'rate_limited',
        message: expect.stringContaining('Too many requests'),
        retryAfterSeconds: retryAfter,
      },
    });
    const [deniedLimit] = stringItems(denied.headers.get('ratelimit'));
    expect(deniedLimit!.params.get('r')).toBe(0);
    // The reset parameter and Retry-After name the same moment.
    expect(deniedLimit!.params.get('t')).toBe(retryAfter);
    // The local deny cache answers the same way.
    const blocked = await server.get('/a');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(retryAfter);
  });

  it('draft 8 lists every policy of a multi-policy limiter', async () => {
    const server = await app([
      fixedWindow({ name: 'burst', limit: 10, windowMs: 1000 }),
      gcra({ name: 'daily', limit: 1000, windowMs: 86_400_000 }),
    ]);
    const res = await server.get('/a');
    const policies = stringItems(res.headers.get('ratelimit-policy'));
    expect(policies.map((p) => [p.value, p.params.get('q'), p.params.get('w')])).toEqual([
      ['burst', 10, 1],
      ['daily', 1000, 86_400],
    ]);
    const limits = stringItems(res.headers.get('ratelimit'));
    expect(limits.map((p) => [p.value, p.params.get('r')])).toEqual([
      ['burst', 9],
      ['daily', 999],
    ]);
  });

  it('draft 7: RateLimit is a Dictionary of Integers, RateLimit-Policy a List of Integers with w', async () => {
    const server = await app(fixedWindow({ limit: 5, windowMs: 60_000 }), { headers: 'draft-7' });
    const res = await server.get('/a');
    const fields = parseDictionary(res.headers.get('ratelimit') ?? '');
    expect([...fields.keys()]).toEqual(['limit', 'remaining', 'reset']);
    const value = (name: string) => nonNegativeInteger((fields.get(name) as Item).value, name);
    expect(value('limit')).toBe(5);
    expect(value('remaining')).toBe(4);
    expect(value('reset')).toBeLessThanOrEqual(60);
    const [policy] = parseList(res.headers.get('ratelimit-policy') ?? '') as Item[];
    expect(policy!.value).toBe(5);
    expect(policy!.params.get('w')).toBe(60);
    expect(res.headers.get('ratelimit-limit')).toBeNull();
  });

  it('draft 6: RateLimit-Limit, -Remaining and -Reset are Integers; headers: false sends none', async () => {
    const six = await app(fixedWindow({ limit: 5, windowMs: 60_000 }), { headers: 'draft-6' });
    const res = await six.get('/a');
    for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) {
      const item = parseItem(res.headers.get(name) ?? '');
      nonNegativeInteger(item.value, name);
      expect(item.value).not.toBeInstanceOf(Decimal);
    }
    expect(res.headers.get('ratelimit-limit')).toBe('5');
    expect(res.headers.get('ratelimit-remaining')).toBe('4');
    expect(res.headers.get('ratelimit')).toBeNull();

    const none = await app(fixedWindow({ limit: 5, windowMs: 60_000 }), { headers: false });
    const plain = await none.get('/a');
    expect([...plain.headers.keys()].filter((name) => name.startsWith('ratelimit'))).toEqual([]);
  });

  it('headers: false keeps allowed responses bare, but a 429 still carries RateLimit, RateLimit-Policy and Retry-After', async () => {
    const server = await app(fixedWindow({ name: 'broad', limit: 1, windowMs: 60_000 }), { headers: false });
    const allowed = await server.get('/a');
    expect(allowed.status).toBe(200);
    expect([...allowed.headers.keys()].filter((name) => name.startsWith('ratelimit'))).toEqual([]);
    for (const denied of [await server.get('/a'), await server.get('/a')]) {
      // The second refusal comes from the local deny cache: the same fields.
      expect(denied.status).toBe(429);
      const retryAfter = Number(denied.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      const [policy] = stringItems(denied.headers.get('ratelimit-policy'));
      expect([policy!.value, policy!.params.get('q'), policy!.params.get('w')]).toEqual(['broad', 1, 60]);
      const [limit] = stringItems(denied.headers.get('ratelimit'));
      expect([limit!.value, limit!.params.get('r'), limit!.params.get('t')]).toEqual([
        'broad',
        0,
        retryAfter,
      ]);
    }
  });

  it('ipKey uses req.ip: X-Forwarded-For counts only when the app trusts its proxy', async () => {
    const untrusted = await app(fixedWindow({ limit: 2, windowMs: HOUR }));
    expect((await untrusted.get('/a', { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    expect((await untrusted.get('/a', { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
    // A forged header does not buy a fresh budget.
    expect((await untrusted.get('/a', { 'x-forwarded-for': '198.51.100.3' })).status).toBe(429);

    const trusted = await app(
      fixedWindow({ limit: 2, windowMs: HOUR }),
      {},
      {
        before: (instance) => instance.set('trust proxy', 'loopback'),
      },
    );
    for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
      expect((await trusted.get('/a', { 'x-forwarded-for': client })).status).toBe(200);
    expect((await trusted.get('/a', { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    expect((await trusted.get('/a', { 'x-forwarded-for': '198.51.100.1' })).status).toBe(429);
  });

  it('IPv6 clients share a budget per /64; IPv4-mapped addresses count as IPv4', async () => {
    const server = await app(
      fixedWindow({ limit: 2, windowMs: HOUR }),
      {},
      {
        before: (instance) => instance.set('trust proxy', 'loopback'),
      },
    );
    const from = (ip: string) => server.get('/a', { 'x-forwarded-for': ip }).then((res) => res.status);
    expect(await from('2001:db8:1:2::1')).toBe(200);
    expect(await from('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe(200);
    expect(await from('2001:db8:1:2::ffff')).toBe(429);
    expect(await from('2001:db8:1:3::1')).toBe(200);
    expect(await from('203.0.113.7')).toBe(200);
    expect(await from('::ffff:203.0.113.7')).toBe(200);
    expect(await from('203.0.113.7')).toBe(429);
  });

  it('user, API key, route and combined keys; a request without a key is not limited', async () => {
    const byUser = await app(fixedWindow({ limit: 1, windowMs: HOUR }), {
      key: userKey((req) => req.header('x-user') ?? undefined),
    });
    expect((await byUser.get('/a', { 'x-user': 'u1' })).status).toBe(200);
    expect((await byUser.get('/a', { 'x-user': 'u1' })).status).toBe(429);
    expect((await byUser.get('/a', { 'x-user': 'u2' })).status).toBe(200);
    expect((await byUser.get('/a')).status).toBe(200);
    expect((await byUser.get('/a')).status).toBe(200);

    const byApiKey = await app(fixedWindow({ limit: 1, windowMs: HOUR }), { key: apiKeyKey() });
    expect((await byApiKey.get('/a', { 'x-api-key': 'k1' })).status).toBe(200);
    expect((await byApiKey.get('/a', { 'x-api-key': 'k1' })).status).toBe(429);
    expect((await byApiKey.get('/a', { 'x-api-key': 'k2' })).status).toBe(200);

    const either = await app(fixedWindow({ limit: 1, windowMs: HOUR }), {
      key: firstKey(
        userKey((req) => req.header('x-user')),
        ipKey(),
      ),
    });
    expect((await either.get('/a', { 'x-user': 'u1' })).status).toBe(200);
    expect((await either.get('/a')).status).toBe(200); // by address: another bucket
    expect((await either.get('/a')).status).toBe(429);
    expect((await either.get('/a', { 'x-user': 'u2' })).status).toBe(200);

    const byRoute = await app(fixedWindow({ limit: 1, windowMs: HOUR }), { key: routeKey(ipKey()) });
    expect((await byRoute.get('/a')).status).toBe(200);
    expect((await byRoute.get('/a')).status).toBe(429);
    expect((await byRoute.get('/b')).status).toBe(200);
  });

  it('cost per request, skip, and errors of a key generator or cost function reach the error handler', async () => {
    const server = await app(
      fixedWindow({ name: 'units', limit: 10, windowMs: HOUR }),
      {
        cost: (req) => {
          const units = req.header('x-units');
          if (units === 'boom') throw new Error('cost function failed');
          return units === undefined ? 1 : Number(units);
        },
        skip: (req) => req.header('x-health') === '1',
      },
      {
        after: (instance) =>
          instance.use((error: Error, _req: Request, res: express.Response, _next: express.NextFunction) => {
            res.status(400).json({ error: { code: 'bad_request', message: error.message } });
          }),
      },
    );
    const remaining = async (headers: Record<string, string>) => {
      const res = await server.get('/a', headers);
      return res.status === 200 ? stringItems(res.headers.get('ratelimit'))[0]!.params.get('r') : res.status;
    };
    expect(await remaining({})).toBe(9);
    expect(await remaining({ 'x-units': '4' })).toBe(5);
    const skipped = await server.get('/a', { 'x-health': '1', 'x-units': '4' });
    expect(skipped.status).toBe(200);
    expect(skipped.headers.get('ratelimit')).toBeNull(); // not counted: no fields either
    expect(await remaining({ 'x-units': '6' })).toBe(429);
    const failed = await server.get('/a', { 'x-units': 'boom' });
    expect(failed).toMatchObject({ status: 400, body: { error: { message: 'cost function failed' } } });
    const zero = await server.get('/a', { 'x-units': '0' });
    expect(zero).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/cost must be/) } },
    });

    const throwing = await app(
      fixedWindow({ limit: 1, windowMs: HOUR }),
      {
        key: () => {
          throw new Error('no key today');
        },
      },
      {
        after: (instance) =>
          instance.use((error: Error, _req: Request, res: express.Response, _next: express.NextFunction) => {
            res.status(500).json({ error: { code: 'internal', message: error.message } });
          }),
      },
    );
    expect(await throwing.get('/a')).toMatchObject({
      status: 500,
      body: { error: { message: 'no key today' } },
    });
  });

  it('onDenied replaces the answer, e.g. to hand the app error handler an error', async () => {
    const server = await app(
      fixedWindow({ limit: 1, windowMs: HOUR }),
      {
        onDenied: (_req, _res, next, decision) =>
          next(Object.assign(new Error('slow down'), { status: 429, retry: decision.retryAfterMs })),
      },
      {
        after: (instance) =>
          instance.use(
            (
              error: { status: number; retry: number },
              _req: Request,
              res: express.Response,
              _next: express.NextFunction,
            ) => {
              res.status(error.status).json({ error: { code: 'custom', retry: error.retry > 0 } });
            },
          ),
      },
    );
    await server.get('/a');
    const denied = await server.get('/a');
    expect(denied.status).toBe(429);
    expect(denied.body).toEqual({ error: { code: 'custom', retry: true } });
    expect(denied.headers.get('retry-after')).not.toBeNull();
  });
});
