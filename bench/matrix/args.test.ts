import { describe, expect, it } from 'vitest';
import { BenchUsageError } from '../lib/options.js';
import { FULL_SETTINGS, matchesCell, parseMatrixArgs, QUICK_SETTINGS } from './args.js';

describe('parseMatrixArgs', () => {
  it('runs everything with the full settings by default', () => {
    expect(parseMatrixArgs([])).toEqual({
      help: false,
      list: false,
      quick: false,
      only: [],
      settings: FULL_SETTINGS,
    });
  });

  it('takes --quick, --only (comma-separated or repeated) and number overrides', () => {
    const args = parseMatrixArgs(['--quick', '--only=cache/l2,api', '--only=queue', '--rounds=3']);
    expect(args.quick).toBe(true);
    expect(args.only).toEqual(['cache/l2', 'api', 'queue']);
    expect(args.settings).toEqual({ ...QUICK_SETTINGS, rounds: 3 });
  });

  it('refuses unknown flags and arguments with the line the root scripts print', () => {
    expect(() => parseMatrixArgs(['--no-such-flag'])).toThrow(
      new BenchUsageError('unknown option "--no-such-flag" (see --help)'),
    );
    expect(() => parseMatrixArgs(['cache'])).toThrow('unknown argument "cache" (see --help)');
    expect(() => parseMatrixArgs(['--keys=5'])).toThrow('unknown option "--keys=5"');
  });

  it("takes the realtime cell's --clients, and a number option's value as the next argument", () => {
    expect(parseMatrixArgs(['--clients=50']).clients).toBe(50);
    const args = parseMatrixArgs(['--quick', '--clients', '300', '--rounds', '4']);
    expect(args.clients).toBe(300);
    expect(args.settings).toEqual({ ...QUICK_SETTINGS, rounds: 4 });
    expect(parseMatrixArgs([]).clients).toBeUndefined();
    expect(() => parseMatrixArgs(['--clients=0'])).toThrow('--clients must be an integer >= 1');
    expect(() => parseMatrixArgs(['--constructor=1'])).toThrow('unknown option "--constructor=1"');
  });

  it('refuses bad numbers and an empty --only', () => {
    expect(() => parseMatrixArgs(['--rounds=0'])).toThrow('--rounds must be an integer >= 1');
    expect(() => parseMatrixArgs(['--duration=fast'])).toThrow('--duration must be an integer');
    expect(() => parseMatrixArgs(['--only='])).toThrow('--only needs a cell pattern');
  });
});

describe('matchesCell', () => {
  it('matches every cell without patterns', () => {
    expect(matchesCell('cache/l2/4kb/1k/zipf', [])).toBe(true);
  });

  it('matches a substring of the id', () => {
    expect(matchesCell('cache/l2/4kb/1k/zipf', ['l2/4kb'])).toBe(true);
    expect(matchesCell('cache/l1/4kb/1k/zipf', ['l2/4kb'])).toBe(false);
  });

  it('lets * stand for anything, and takes any of several patterns', () => {
    expect(matchesCell('ratelimit/gcra/1m', ['ratelimit/*/1m'])).toBe(true);
    expect(matchesCell('ratelimit/gcra/100k', ['ratelimit/*/1m'])).toBe(false);
    expect(matchesCell('api/cached', ['queue', 'api'])).toBe(true);
  });

  it('takes regular-expression characters literally', () => {
    expect(matchesCell('cache/l2/4kb', ['l2.4kb'])).toBe(false);
  });
});
