import type { Span } from '@opentelemetry/api';
import type { Decision } from '../types.js';

/** One `limit()` waiting for Redis: what its answer is built and recorded with. */
export interface PendingDecision {
  /** The identifier tag (the local deny cache's key). */
  id: string;
  cost: number;
  span: Span;
  /** performance.now() when the decision started (its duration metric). */
  started: number;
  resolve: (decision: Decision) => void;
}

/**
 * The consumptions of one event-loop turn, gathered straight into the batch script's
 * KEYS and ARGV (a header of the limiter's policies, then one cost per decision), so
 * sending them takes no further pass over the decisions.
 */
export class ConsumeBatch {
  readonly keys: string[] = [];
  readonly args: Array<string | number>;
  readonly items: PendingDecision[] = [];

  constructor(header: ReadonlyArray<string | number>) {
    this.args = header.slice();
  }

  get size(): number {
    return this.items.length;
  }

  add(keys: readonly string[], item: PendingDecision): void {
    for (let i = 0; i < keys.length; i += 1) this.keys.push(keys[i]!);
    this.args.push(item.cost);
    this.items.push(item);
  }
}
