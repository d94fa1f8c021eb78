import { describe, expect, it } from 'vitest';
import { openMetricsToPrometheus, stripExemplar } from './prometheus-text.js';

describe('openMetricsToPrometheus', () => {
  it('renames counter families, drops exemplars and # EOF', () => {
    const openMetrics = [
      '# HELP jobs Jobs done.',
      '# TYPE jobs counter',
      'jobs_total{queue="email"} 3 # {trace_id="abc",span_id="def"} 1 1700000000.5',
      '# HELP odd Odd.',
      '# TYPE odd unknown',
      'odd 1',
      '# EOF',
      '',
    ].join('\n');
    expect(openMetricsToPrometheus(openMetrics)).toBe(
      [
        '# HELP jobs_total Jobs done.',
        '# TYPE jobs_total counter',
        'jobs_total{queue="email"} 3',
        '# HELP odd Odd.',
        '# TYPE odd untyped',
        'odd 1',
        '',
      ].join('\n'),
    );
  });

  it('is not fooled by # inside label values', () => {
    expect(stripExemplar('m{route="/a # {b}",x="\\" # "} 1 # {trace_id="t"} 1 2')).toBe(
      'm{route="/a # {b}",x="\\" # "} 1',
    );
    expect(stripExemplar('m 1 # {trace_id="t"} 1')).toBe('m 1');
    expect(stripExemplar('m{a="b"} 1')).toBe('m{a="b"} 1');
  });
});
