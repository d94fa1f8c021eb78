// The load generator's arguments, numbers and errors (the traffic itself runs in observability.e2e).
import { createServer } from 'node:http';
import { freePort } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOAD_OPTIONS,
  formatSummary,
  LoadStats,
  LoadTargetError,
  LoadUsageError,
  parseLoadArgs,
  quantile,
  runLoad,
} from '../src/index.js';
import { formatValue, niceScale, renderPanelGrid } from '../render/svg.js';

describe('pnpm load arguments', () => {
  it('has defaults and reads --name value and --name=value', () => {
    expect(parseLoadArgs([])).toEqual(DEFAULT_LOAD_OPTIONS);
    expect(
      parseLoadArgs(['--url', 'http://api:3000/', '--duration=5', '--rate', '12.5', '--concurrency', '4']),
    ).toMatchObject({ url: 'http://api:3000', durationSeconds: 5, rate: 12.5, concurrency: 4 });
    expect(parseLoadArgs(['--help'])).toBeUndefined();
  });

  it.each([
    [['--rate', 'fast'], '--rate must be a number, not fast'],
    [['--rate', '0'], '--rate must be between'],
    [['--concurrency', '2.5'], '--concurrency must be a whole number'],
    [['--duration'], '--duration needs a value'],
    [['--url', 'localhost:3000'], '--url must be http:// or https://'],
    [['--url', 'not a url'], '--url must be an absolute http(s) URL'],
    [['--rps', '5'], 'unknown option "--rps"'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseLoadArgs(argv)).toThrow(LoadUsageError);
    expect(() => parseLoadArgs(argv)).toThrow(message);
  });
});

describe('load statistics', () => {
  it('counts by route and status class, 429 apart, with nearest-rank quantiles', () => {
    const stats = new LoadStats(0);
    for (let ms = 1; ms <= 100; ms++) stats.record('GET /me', 200, ms);
    stats.record('POST /auth/login', 429, 5);
    stats.record('POST /auth/login', 401, 5);
    stats.record('POST /auth/login', undefined, 5);
    stats.error('POST /auth/login: ECONNRESET');
    const summary = stats.summary('http://x', 10_000);
    expect(summary.requests).toBe(103);
    expect(summary.byOutcome).toMatchObject({ '2xx': 100, '4xx': 1, '429': 1, error: 1 });
    const me = summary.routes.find((route) => route.route === 'GET /me')!;
    expect([me.p50Ms, me.p95Ms, me.p99Ms]).toEqual([50, 95, 99]);
    expect(quantile([], 0.5)).toBe(0);
    expect(formatSummary(summary)).toContain('ECONNRESET');
  });

  it('says to raise the rate limits when most requests were refused with 429', () => {
    const stats = new LoadStats(0);
    for (let index = 0; index < 10; index++) stats.record('GET /me', 429, 1);
    expect(formatSummary(stats.summary('http://x', 1000))).toContain('RATE_LIMIT_GLOBAL=');
  });
});

describe('runLoad against something that is not the api', () => {
  it('fails with what to do when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = runLoad({ url, durationSeconds: 1 });
    await expect(run).rejects.toThrow(LoadTargetError);
    await expect(runLoad({ url, durationSeconds: 1 })).rejects.toThrow(/does not answer \(ECONNREFUSED\)/);
  });

  it('fails when /health is not the api', async () => {
    const server = createServer((_req, res) => res.writeHead(404).end('not here'));
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      await expect(runLoad({ url: `http://127.0.0.1:${port}`, durationSeconds: 1 })).rejects.toThrow(
        /without the api's health JSON/,
      );
    } finally {
      server.close();
    }
  });
});

describe('SVG panels', () => {
  it('formats axis values by unit and picks round scales', () => {
    expect(formatValue(0.5, 'percentunit')).toBe('50%');
    expect(formatValue(3 * 1024 * 1024, 'bytes')).toBe('3 MiB');
    expect(formatValue(0.0042, 's')).toBe('4.2 ms');
    expect(niceScale(0, 87)).toMatchObject({ min: 0, max: 100 });
    expect(niceScale(0, 0)).toMatchObject({ min: 0, max: 1 });
  });

  it('draws one chart per panel, and says so when a panel has no data', () => {
    const svg = renderPanelGrid({
      title: 'T & <b>',
      start: 0,
      end: 60,
      panels: [
        {
          title: 'Clients',
          unit: 'short',
          series: [
            {
              name: 'a',
              points: [
                [0, 1],
                [30, 2],
                [60, NaN],
              ],
            },
          ],
        },
        { title: 'Empty', unit: 'short', series: [] },
      ],
    });
    expect(svg).toContain('T &#38; &#60;b&#62;');
    expect(svg).toContain('>Clients<');
    expect(svg).toContain('>No data<');
    expect(svg.match(/<path /g)).toHaveLength(1);
  });
});
