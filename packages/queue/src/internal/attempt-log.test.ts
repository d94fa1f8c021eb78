import { describe, expect, it } from 'vitest';
import { describeError, errorNameFromStack, formatAttemptLine, parseAttemptLines } from './attempt-log.js';

describe('attempt log', () => {
  it('reads back its own lines in attempt order and skips others', () => {
    const record = (attempt: number) => ({
      attempt,
      startedAt: '2024-01-01T00:00:00.000Z',
      failedAt: '2024-01-01T00:00:01.000Z',
      error: { name: 'Error', message: `failure ${attempt}` },
    });
    const lines = [
      formatAttemptLine(record(2)),
      'a user log line',
      'rnh:attempt {broken',
      formatAttemptLine(record(1)),
    ];
    expect(parseAttemptLines(lines)).toEqual([record(1), record(2)]);
  });

  it('describes anything thrown, bounded', () => {
    expect(describeError(new RangeError('x'))).toEqual({ name: 'RangeError', message: 'x' });
    expect(describeError('plain')).toEqual({ name: 'NonError', message: 'plain' });
    expect(describeError(new Error('y'.repeat(5000))).message).toHaveLength(1000);
    expect(errorNameFromStack('TypeError: boom\n    at x')).toBe('TypeError');
    expect(errorNameFromStack(undefined)).toBeUndefined();
  });
});
