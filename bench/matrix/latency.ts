// A latency histogram with logarithmic buckets (1 % wide): constant memory whatever the number
// of operations, and percentiles within 1 % of the exact value.

const BASE = 1.01;
const LN_BASE = Math.log(BASE);
/** Bucket i holds durations up to BASE^i µs; the last one (about 100 s) takes anything longer. */
const BUCKETS = Math.ceil(Math.log(100e6) / LN_BASE) + 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;

  get count(): number {
    return this.total;
  }

  record(ms: number): void {
    const micros = ms * 1000;
    const index = micros <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(micros) / LN_BASE));
    this.counts[index]!++;
    this.total++;
  }

  merge(other: LatencyHistogram): void {
    for (let index = 0; index < BUCKETS; index++) this.counts[index]! += other.counts[index]!;
    this.total += other.total;
  }

  /**
   * The duration (ms) that `fraction` of the recorded operations did not exceed (0.99: p99),
   * as the upper bound of its bucket: at most 1 % above the exact value. NaN when empty.
   */
  percentile(fraction: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(fraction * this.total));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.counts[index]!;
      if (seen >= rank) return BASE ** index / 1000;
    }
    return BASE ** (BUCKETS - 1) / 1000;
  }
}
