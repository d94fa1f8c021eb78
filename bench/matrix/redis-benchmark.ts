// redis-benchmark's --csv output: one row per test, requests per second and latency percentiles.

export interface RedisBenchmarkRow {
  /** The test as redis-benchmark names it (`GET`, `SET`, or the command line of a custom test). */
  test: string;
  rps: number;
  /** Milliseconds; undefined for versions that print only rps. */
  p50Ms?: number;
  p99Ms?: number;
}

function cells(line: string): string[] {
  return [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((match) => match[1]!.replace(/""/g, '"'));
}

/**
 * Parses `redis-benchmark --csv`: Redis 7 prints a header (`"test","rps","avg_latency_ms",...`)
 * and rows; Redis 6 and older print rows of `"test","rps"` without one.
 */
export function parseRedisBenchmarkCsv(text: string): RedisBenchmarkRow[] {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('"'));
  let header = ['test', 'rps'];
  const rows: RedisBenchmarkRow[] = [];
  for (const line of lines) {
    const values = cells(line);
    if (values[0] === 'test') {
      header = values;
      continue;
    }
    const field = (name: string) => {
      const index = header.indexOf(name);
      const value = index >= 0 ? Number(values[index]) : Number.NaN;
      return Number.isFinite(value) ? value : undefined;
    };
    const rps = field('rps');
    if (values[0] === undefined || rps === undefined) continue;
    const p50Ms = field('p50_latency_ms');
    const p99Ms = field('p99_latency_ms');
    rows.push({
      test: values[0],
      rps,
      ...(p50Ms !== undefined ? { p50Ms } : {}),
      ...(p99Ms !== undefined ? { p99Ms } : {}),
    });
  }
  return rows;
}
