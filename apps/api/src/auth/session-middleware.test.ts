import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { renewCookiePastHalfLife } from './session-middleware.js';

const IDLE_MS = 60_000;

function requestWith(session: Record<string, unknown> | undefined): Request {
  return { session } as unknown as Request;
}

function run(req: Request): void {
  let called = false;
  renewCookiePastHalfLife(IDLE_MS)(req, {} as Response, () => (called = true));
  expect(called).toBe(true);
}

describe('renewCookiePastHalfLife', () => {
  const cookie = { expires: new Date(Date.now() + IDLE_MS) };

  it('leaves a young cookie alone, so the response carries no Set-Cookie', () => {
    const session = { userId: 'u', cookie, device: { createdAt: Date.now() - 10_000 } };
    run(requestWith(session));
    expect(session).not.toHaveProperty('cookieRenewedAt');
  });

  it('marks the session changed once the browser copy is past half its idle life', () => {
    const session: Record<string, unknown> = {
      userId: 'u',
      cookie,
      device: { createdAt: Date.now() - 40_000 },
    };
    run(requestWith(session));
    expect(session.cookieRenewedAt).toBeGreaterThan(Date.now() - 1000);
  });

  it('counts from the last renewal, not from sign-in', () => {
    const renewedAt = Date.now() - 5_000;
    const session = {
      userId: 'u',
      cookie,
      device: { createdAt: Date.now() - 500_000 },
      cookieRenewedAt: renewedAt,
    };
    run(requestWith(session));
    expect(session.cookieRenewedAt).toBe(renewedAt);
  });

  it('does nothing for anonymous requests', () => {
    const session: Record<string, unknown> = { cookie };
    run(requestWith(session));
    run(requestWith(undefined));
    expect(session).not.toHaveProperty('cookieRenewedAt');
  });
});
