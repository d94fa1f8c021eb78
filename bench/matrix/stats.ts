// Paired ratios: ours and a peer measured in the same round, so a round slowed by other work on
// the machine slows both; the ratio of each round is the figure, its median the verdict.
import { median } from '../lib/measure.js';

export interface RatioStats {
  /** ours / peer for each round both were measured in. */
  perRound: number[];
  median: number;
  min: number;
  max: number;
}

/**
 * `ours[i] / peer[i]` for every round i both have (rates of round i, in the same unit).
 * A round where the peer did nothing gives no ratio. Without any round: NaN everywhere.
 */
export function pairedRatios(ours: readonly number[], peer: readonly number[]): RatioStats {
  const perRound: number[] = [];
  for (let round = 0; round < Math.min(ours.length, peer.length); round++) {
    const theirs = peer[round]!;
    if (theirs > 0 && Number.isFinite(theirs) && Number.isFinite(ours[round]!))
      perRound.push(ours[round]! / theirs);
  }
  if (perRound.length === 0) return { perRound, median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { perRound, median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound) };
}

/** Median, min and max of a set of values (NaN when empty). */
export function spread(values: readonly number[]): { median: number; min: number; max: number } {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** The items in an order rotated by `by` (round r starts with item r), so no contender always goes first. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}
