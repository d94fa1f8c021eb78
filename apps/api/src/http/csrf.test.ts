import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { rejectCrossSiteWrites } from './csrf.js';
import { HttpError } from './errors.js';

const APP = 'https://app.example.test';
const check = rejectCrossSiteWrites([APP]);

/** The error the check passes on for a POST with these headers, or undefined when it lets it through. */
function refusalOf(headers: Record<string, string>): unknown {
  const req = { method: 'POST', get: (name: string) => headers[name.toLowerCase()] } as unknown as Request;
  let passed: unknown = 'not called';
  void check(req, {} as Response, (error?: unknown) => (passed = error));
  return passed;
}

describe('rejectCrossSiteWrites', () => {
  it('lets a write from an allowed origin through and refuses one from another', () => {
    expect(refusalOf({ origin: APP })).toBeUndefined();
    expect(refusalOf({ origin: 'https://evil.example.net' })).toBeInstanceOf(HttpError);
  });

  it('takes Origin null only with Sec-Fetch-Site same-origin: a page of the api under Referrer-Policy no-referrer', () => {
    expect(refusalOf({ origin: 'null', 'sec-fetch-site': 'same-origin' })).toBeUndefined();
    for (const site of ['cross-site', 'same-site', 'none'])
      expect(refusalOf({ origin: 'null', 'sec-fetch-site': site })).toBeInstanceOf(HttpError);
    expect(refusalOf({ origin: 'null' })).toBeInstanceOf(HttpError);
  });

  it('without Origin, follows Sec-Fetch-Site; with neither, the caller is not a browser page', () => {
    expect(refusalOf({ 'sec-fetch-site': 'same-origin' })).toBeUndefined();
    expect(refusalOf({ 'sec-fetch-site': 'cross-site' })).toBeInstanceOf(HttpError);
    expect(refusalOf({})).toBeUndefined();
  });
});
