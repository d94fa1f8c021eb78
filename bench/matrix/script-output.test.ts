import { describe, expect, it } from 'vitest';
import { judge } from '../lib/report.js';
import { parseTargetDetail, slugOf } from './script-output.js';

describe('parseTargetDetail', () => {
  it('reads a passed and a failed target line', () => {
    expect(
      parseTargetDetail('  Add: QueueProducer.enqueue() vs BullMQ Queue.add(): 0.66x (target >= 0.9x) FAIL'),
    ).toEqual({
      label: 'Add: QueueProducer.enqueue() vs BullMQ Queue.add()',
      kind: 'ratio',
      atLeast: 0.9,
      value: 0.66,
      verdict: 'FAIL',
    });
    expect(parseTargetDetail('L2 hit vs bentocache L2: 2.20x (target >= 1.5x) PASS')).toMatchObject({
      value: 2.2,
      atLeast: 1.5,
      verdict: 'PASS',
    });
  });

  it('keeps the reason an invalid measurement gives', () => {
    const target = parseTargetDetail('X vs Y: 1.20x (target >= 1.0x) FAIL (invalid: Y had errors or misses)');
    expect(target).toMatchObject({ verdict: 'FAIL', note: 'invalid: Y had errors or misses' });
  });

  it('reads a target that was not measured', () => {
    expect(
      parseTargetDetail('Process: QueueWorker vs BullMQ Worker: not measured in this run (target >= 0.9x)'),
    ).toMatchObject({
      value: null,
      verdict: 'FAIL',
      note: 'not measured in this run',
    });
  });

  it('reads what lib/report.ts judge() writes', () => {
    const line = judge({ label: 'A vs B', ours: 'a', theirs: 'b', atLeast: 1.2 }, []).line;
    expect(parseTargetDetail(line)).toMatchObject({ label: 'A vs B', atLeast: 1.2, verdict: 'FAIL' });
  });

  it('ignores every other line', () => {
    expect(parseTargetDetail('Targets (@rnh/queue with metrics and tracing on)')).toBeUndefined();
    expect(parseTargetDetail('  Add: floor vs BullMQ Queue.add(): 0.44x')).toBeUndefined();
  });
});

describe('slugOf', () => {
  it('names a cell after the part of the label before its colon', () => {
    expect(slugOf('Add: QueueProducer.enqueue() vs BullMQ Queue.add()')).toBe('add');
    expect(slugOf('Hot key: fixed window vs rate-limiter-flexible')).toBe('hot-key');
    expect(slugOf('Sessions get vs connect-redis')).toBe('sessions-get-vs-connect-redis');
  });
});
