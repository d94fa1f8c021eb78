import type { Counter, Histogram, LabelValues } from 'prom-client';

// prom-client's `observe(labels, value)` / `inc(labels)` rebuild the series key from the
// label object on every call (a closure, label validation, a sorted hash string, a second
// hash for an exemplar). On the paths that run for every Redis command and every job, that
// is most of what a metric costs. A series here is one label set bound once: it finds
// prom-client's own record of that series (its `hashMap` entry, created with `zero()` /
// `inc(0)` when missing) and updates it in place, so the registry exposes it exactly as if
// `observe` / `inc` had been called. If prom-client's internals are not what this expects
// (another major version), every call goes through the public API instead.

type Labels = LabelValues<string>;

interface HistogramEntry {
  labels: Labels;
  sum: number;
  count: number;
  bucketValues: Record<string, number>;
  bucketExemplars?: Record<string, Exemplar | null>;
}

interface Exemplar {
  labelSet: Record<string, string>;
  value: number;
  timestamp: number;
}

interface CounterEntry {
  labels: Labels;
  value: number;
}

interface Internals<E> {
  hashMap?: Record<string, E>;
}

/** The entry of `map` whose label values are `labels`' (same names, same values). */
function findEntry<E extends { labels: Labels }>(
  map: Record<string, E>,
  labels: Labels,
): [string, E] | undefined {
  const names = Object.keys(labels);
  for (const key in map) {
    const entry = map[key]!;
    const own = entry.labels;
    if (Object.keys(own).length !== names.length) continue;
    if (names.every((name) => String(own[name]) === String(labels[name]))) return [key, entry];
  }
  return undefined;
}

/** One label set of a histogram, updated in place. `observe(value, exemplar?)`. */
export class HistogramSeries {
  private readonly bounds: readonly number[];
  /** The bucket keys as prom-client stores them (`String(bound)`), so no number is formatted per call. */
  private readonly keys: readonly string[];
  private readonly exemplars: boolean;
  private map: Record<string, HistogramEntry> | undefined;
  private key = '';
  private entry: HistogramEntry | undefined;

  constructor(
    private readonly histogram: Histogram<string>,
    private readonly labels: Labels,
  ) {
    const internals = histogram as unknown as { upperBounds?: number[]; enableExemplars?: boolean };
    this.bounds = internals.upperBounds ?? [];
    this.keys = this.bounds.map(String);
    this.exemplars = internals.enableExemplars === true;
  }

  observe(value: number, exemplar?: Record<string, string>): void {
    const entry = this.current();
    if (entry === undefined || !Number.isFinite(value)) {
      this.observePublicly(value, exemplar);
      return;
    }
    entry.sum += value;
    entry.count += 1;
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > bounds[index]!) index += 1;
    const key = index < bounds.length ? this.keys[index]! : '-1';
    if (key !== '-1') entry.bucketValues[key]! += 1;
    if (exemplar !== undefined && this.exemplars && entry.bucketExemplars) {
      let slot = entry.bucketExemplars[key];
      if (!slot) entry.bucketExemplars[key] = slot = { labelSet: exemplar, value, timestamp: 0 };
      slot.labelSet = exemplar;
      slot.value = value;
      slot.timestamp = Date.now() / 1000;
    }
  }

  /** prom-client's entry for this label set, looked up again only after a `reset()` or `remove()`. */
  private current(): HistogramEntry | undefined {
    const map = (this.histogram as unknown as Internals<HistogramEntry>).hashMap;
    if (map === undefined) return undefined;
    if (map === this.map && map[this.key] === this.entry) return this.entry;
    let found = findEntry(map, this.labels);
    if (!found) {
      this.histogram.zero(this.labels);
      found = findEntry(map, this.labels);
    }
    if (!found || typeof found[1].bucketValues !== 'object') return undefined;
    [this.key, this.entry] = found;
    this.map = map;
    return this.entry;
  }

  private observePublicly(value: number, exemplar: Record<string, string> | undefined): void {
    if (!this.exemplars) this.histogram.observe(this.labels, value);
    else
      this.histogram.observe({
        labels: this.labels,
        value,
        ...(exemplar ? { exemplarLabels: exemplar as never } : {}),
      });
  }
}

/** One label set of a counter, incremented in place. */
export class CounterSeries {
  private map: Record<string, CounterEntry> | undefined;
  private key = '';
  private entry: CounterEntry | undefined;

  constructor(
    private readonly counter: Counter<string>,
    private readonly labels: Labels,
  ) {}

  inc(amount = 1): void {
    const entry = this.current();
    if (entry === undefined || !(Number.isFinite(amount) && amount >= 0))
      this.counter.inc(this.labels, amount);
    else entry.value += amount;
  }

  private current(): CounterEntry | undefined {
    const map = (this.counter as unknown as Internals<CounterEntry>).hashMap;
    if (map === undefined) return undefined;
    if (map === this.map && map[this.key] === this.entry) return this.entry;
    let found = findEntry(map, this.labels);
    if (!found) {
      this.counter.inc(this.labels, 0);
      found = findEntry(map, this.labels);
    }
    if (!found || typeof found[1].value !== 'number') return undefined;
    [this.key, this.entry] = found;
    this.map = map;
    return this.entry;
  }
}
