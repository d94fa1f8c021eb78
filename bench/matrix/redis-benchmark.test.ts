import { describe, expect, it } from 'vitest';
import { parseRedisBenchmarkCsv } from './redis-benchmark.js';

describe('parseRedisBenchmarkCsv', () => {
  it('reads Redis 7 output: a header, then rps and latency percentiles per test', () => {
    const csv = [
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
      '"SET","7874.02","0.776","0.064","0.279","2.639","5.855","10.479"',
      '"GET","5076.14","1.298","0.040","0.487","4.255","6.551","9.359"',
    ].join('\n');
    expect(parseRedisBenchmarkCsv(csv)).toEqual([
      { test: 'SET', rps: 7874.02, p50Ms: 0.279, p99Ms: 5.855 },
      { test: 'GET', rps: 5076.14, p50Ms: 0.487, p99Ms: 6.551 },
    ]);
  });

  it('keeps the command line of a custom test as its name', () => {
    const csv =
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"\n' +
      '"evalsha d3c2 1 key:__rand_int__","3787.88","1.555","0.104","0.399","6.087","11.143","20.799"\n';
    expect(parseRedisBenchmarkCsv(csv)[0]).toMatchObject({
      test: 'evalsha d3c2 1 key:__rand_int__',
      rps: 3787.88,
    });
  });

  it('reads older output without a header (rps only)', () => {
    expect(parseRedisBenchmarkCsv('"GET","81234.56"\n')).toEqual([{ test: 'GET', rps: 81234.56 }]);
  });

  it('ignores progress and anything that is not a CSV row', () => {
    expect(parseRedisBenchmarkCsv('GET: rps=1000.0 (overall: 900.0) avg_msec=0.5\r\n')).toEqual([]);
  });
});
