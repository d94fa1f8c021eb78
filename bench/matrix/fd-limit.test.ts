import { describe, expect, it } from 'vitest';
import { openFilesLimit, openFilesProblem, parseOpenFilesLimit, SPARE_FILES } from './fd-limit.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('parseOpenFilesLimit', () => {
  it('reads the soft limit of /proc/<pid>/limits', () => {
    expect(parseOpenFilesLimit(LIMITS)).toBe(1024);
    expect(parseOpenFilesLimit(LIMITS.replace('1024   ', 'unlimited'))).toBe(Number.POSITIVE_INFINITY);
    expect(parseOpenFilesLimit('nothing here')).toBeUndefined();
  });

  it('finds a limit for this process', () => {
    expect(openFilesLimit()).toBeGreaterThan(0);
  });
});

describe('openFilesProblem', () => {
  it('says what to do when the sockets would not fit', () => {
    expect(openFilesProblem('the server', 1024, 2000)).toBe(
      `the server may open 1024 files (ulimit -n) but needs about ${2000 + SPARE_FILES} for 2000 sockets: ` +
        'raise the limit (ulimit -n 65536) or use fewer clients (--clients=N)',
    );
  });

  it('has nothing to say when they fit, or when the limit is unknown', () => {
    expect(openFilesProblem('the server', 65536, 2000)).toBeUndefined();
    expect(openFilesProblem('the server', undefined, 2000)).toBeUndefined();
  });
});
