// What a cell's operations look like: values of a given size, and the order in which keys are
// asked for (uniform, or Zipf: a few hot keys and a long tail), the same for every contender.

/** A small seeded PRNG (mulberry32): the same seed gives every contender the same key order. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` key indexes drawn uniformly from 0..n-1. */
export function uniformOrder(n: number, length: number, seed = 1): Int32Array {
  const random = seededRandom(seed);
  const order = new Int32Array(length);
  for (let index = 0; index < length; index++) order[index] = Math.floor(random() * n);
  return order;
}

/**
 * `length` key indexes from 0..n-1 with Zipf's law: index k (rank k + 1) is drawn with a
 * probability proportional to 1 / (k + 1)^s. s = 1.1 is what caches usually see.
 */
export function zipfOrder(n: number, s: number, length: number, seed = 1): Int32Array {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let rank = 0; rank < n; rank++) {
    sum += 1 / (rank + 1) ** s;
    cumulative[rank] = sum;
  }
  const random = seededRandom(seed);
  const order = new Int32Array(length);
  for (let index = 0; index < length; index++) {
    const target = random() * sum;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    order[index] = low;
  }
  return order;
}

export interface Item {
  id: number;
  name: string;
  tags: string[];
  score: number;
  updatedAt: string;
}

export interface SizedValue {
  id: number;
  kind: string;
  items: Item[];
  note: string;
}

/**
 * A JSON-shaped value whose JSON text is exactly `bytes` long (at least 64): a list of small
 * records (so parsing it costs what parsing real data of that size costs), padded with a note.
 */
export function valueOfSize(bytes: number): SizedValue {
  if (bytes < 64) throw new Error(`a value of ${bytes} bytes is too small (at least 64)`);
  const value: SizedValue = { id: 7, kind: 'bench-value', items: [], note: '' };
  const size = () => Buffer.byteLength(JSON.stringify(value));
  for (let id = 0; ; id++) {
    const item: Item = {
      id,
      name: `item-${id}`,
      tags: ['referral', id % 2 === 0 ? 'open' : 'closed'],
      score: (id % 100) / 100,
      updatedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, id)).toISOString(),
    };
    value.items.push(item);
    if (size() > bytes) {
      value.items.pop();
      break;
    }
  }
  value.note = 'x'.repeat(bytes - size());
  return value;
}

/** The pattern an id stands for, for cell ids and labels: `100b`, `4kb`, `64kb`. */
export function sizeName(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024}kb` : `${bytes}b`;
}

/** `1k`, `100k`, `1m`. */
export function countName(count: number): string {
  if (count % 1_000_000 === 0) return `${count / 1_000_000}m`;
  if (count % 1000 === 0) return `${count / 1000}k`;
  return String(count);
}
