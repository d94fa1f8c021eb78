import type { Decision } from '../types.js';

interface Entry {
  decision: Decision;
  /** Local monotonic clock (ms) of the denial and of the end of the block. */
  since: number;
  until: number;
}

/**
 * Keys already over their limit, denied in-process until the retry-after Redis
 * reported, so a flood on one key stops costing round trips. Bounded: at
 * `maxEntries` the oldest entry goes. Uses the local monotonic clock only to
 * expire its own entries; every real decision is made on Redis time.
 */
export class LocalDenyCache {
  private readonly map = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly sizeChanged: (delta: number) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A copy of the stored denial with times counted from now, while the key is blocked for this cost. */
  check(id: string, cost: number): Decision | undefined {
    const entry = this.map.get(id);
    if (!entry) return undefined;
    const now = this.now();
    if (now >= entry.until) {
      this.delete(id);
      return undefined;
    }
    // A denial for a cost says nothing about a smaller one.
    if (cost < entry.decision.cost) return undefined;
    const elapsed = now - entry.since;
    const left = (ms: number) => (Number.isFinite(ms) ? Math.max(0, Math.ceil(ms - elapsed)) : ms);
    const decision = entry.decision;
    return {
      ...decision,
      reason: 'local_block',
      cost,
      resetMs: left(decision.resetMs),
      retryAfterMs: Math.max(1, left(decision.retryAfterMs)),
      policies: decision.policies.map((state) => ({
        ...state,
        resetMs: left(state.resetMs),
        retryAfterMs: state.allowed ? 0 : Math.max(1, left(state.retryAfterMs)),
      })),
      consumed: false,
    };
  }

  /** Remembers a `limited` decision until its retry-after (never for an unbounded one). */
  add(id: string, decision: Decision): void {
    if (!Number.isFinite(decision.retryAfterMs) || decision.retryAfterMs <= 0 || this.maxEntries <= 0) return;
    this.delete(id);
    const since = this.now();
    this.map.set(id, { decision, since, until: since + decision.retryAfterMs });
    this.sizeChanged(1);
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(id: string): void {
    if (this.map.delete(id)) this.sizeChanged(-1);
  }

  clear(): void {
    for (const id of [...this.map.keys()]) this.delete(id);
  }

  get size(): number {
    return this.map.size;
  }
}
