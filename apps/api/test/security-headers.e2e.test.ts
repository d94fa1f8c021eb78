// Security headers (helmet) on every answer of the real api: successes, 404s, 429s and errors;
// no-store on everything but GET /me, which stays privately cacheable (and cached server-side).
import { describe, expect, it } from 'vitest';
import { useApiStack } from './support/api-stack.js';
import { HttpClient, type JsonResponse } from './support/http-client.js';

const PASSWORD = 'correct horse battery';

/** What every answer of a JSON API should say to a browser, whatever its status. */
function expectSecurityHeaders(res: { headers: Headers }, cacheControl = 'no-store') {
  const header = (name: string) => res.headers.get(name);
  expect(header('x-content-type-options')).toBe('nosniff');
  expect(header('referrer-policy')).toBe('no-referrer');
  const csp = (header('content-security-policy') ?? '').split(';').map((directive) => directive.trim());
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(header('x-frame-options')).toBe('DENY');
  expect(header('cache-control')).toBe(cacheControl);
  expect(header('x-powered-by')).toBeNull();
  // Not in production: a development browser must not learn to refuse plain HTTP.
  expect(header('strict-transport-security')).toBeNull();
}

describe('security headers', () => {
  // Each check below comes from its own address (X-Forwarded-For from a trusted local proxy),
  // so only the one that wants a 429 meets the small global limit.
  const stack = useApiStack('headers', { env: { API_TRUST_PROXY: 'loopback', RATE_LIMIT_GLOBAL: '5/1m' } });

  const from = (address: string) => ({ 'x-forwarded-for': address });

  it('on a 200, on routes that return tokens or personal data, on a 404 and on errors', async () => {
    const health = await fetch(`${stack.api.url}/health`, { headers: from('192.0.2.1') });
    expect(health.status).toBe(200);
    expectSecurityHeaders(health);

    const browser = new HttpClient(stack.api.url);
    const signup = await browser.post(
      '/auth/signup',
      { email: 'headers@example.com', password: PASSWORD, displayName: 'Hedda' },
      from('192.0.2.2'),
    );
    expect(signup.status).toBe(201);
    expectSecurityHeaders(signup);
    const tokens = await new HttpClient(stack.api.url).post(
      '/auth/token',
      { email: 'headers@example.com', password: PASSWORD },
      from('192.0.2.2'),
    );
    expect(tokens.status).toBe(200);
    expectSecurityHeaders(tokens);

    const missing = await fetch(`${stack.api.url}/nope`, { headers: from('192.0.2.3') });
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);

    const anonymous = await new HttpClient(stack.api.url).get('/me', from('192.0.2.3'));
    expect(anonymous.status).toBe(401);
    expectSecurityHeaders(anonymous);
    const malformed = await fetch(`${stack.api.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...from('192.0.2.3') },
      body: '{"email":',
    });
    expect(malformed.status).toBe(400);
    expectSecurityHeaders(malformed);
  });

  it('on a 429 of the global limiter', async () => {
    const client = new HttpClient(stack.api.url);
    let refused: JsonResponse | undefined;
    for (let i = 0; i < 10 && !refused; i += 1) {
      const res = await client.get('/orgs', from('192.0.2.99'));
      if (res.status === 429) refused = res;
    }
    expect(refused?.status).toBe(429);
    expectSecurityHeaders(refused!);
    expect(refused!.headers.get('ratelimit-policy')).toBe('"global";q=5;w=60');
  });

  it('GET /me is private and revalidated, not no-store: the server-side response cache keeps working', async () => {
    const browser = new HttpClient(stack.api.url);
    expect(
      (
        await browser.post(
          '/auth/signup',
          { email: 'me-cache@example.com', password: PASSWORD, displayName: 'Meg' },
          from('192.0.2.4'),
        )
      ).status,
    ).toBe(201);
    const first = await browser.get('/me', from('192.0.2.4'));
    expect(first.status).toBe(200);
    expectSecurityHeaders(first, 'private, no-cache');
    expect(first.headers.get('x-cache')).toBe('MISS');
    const again = await browser.get('/me', from('192.0.2.4'));
    expect(again.headers.get('x-cache')).toBe('HIT');
    expectSecurityHeaders(again, 'private, no-cache');
    expect(
      (await browser.get('/me', { 'if-none-match': again.headers.get('etag')!, ...from('192.0.2.4') }))
        .status,
    ).toBe(304);
  });
});
